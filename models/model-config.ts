import type { DataSchema } from './data-schema';

/**
 * A model's config.json after checking: canonical spellings, defaults filled in, unknown
 * fields left out. Field names stay those of ModelArts, so the value is itself a valid
 * config.json and the rest of the platform reads the words users wrote.
 */
export interface ModelConfig {
  model_algorithm: string;
  model_type: ModelType;
  runtime?: string;
  swr_location?: string;
  metrics?: ModelMetrics;
  /** Empty when the file declares none. */
  apis: ModelApi[];
  /** Empty when the file declares none. */
  dependencies: Dependency[];
  health?: HealthCheck;
  model_source?: string;
  tunable?: boolean;
  service_name?: string;
  execution_code?: string;
}

type ModelType = 'TensorFlow' | 'MXNet' | 'Caffe' | 'Spark_MLlib' | 'Scikit_Learn' | 'XGBoost' | 'PyTorch' | 'MindSpore' | 'Image';

type ContentType = 'application/json' | 'multipart/form-data';

export type HttpMethod = 'post' | 'get' | 'put' | 'delete' | 'patch' | 'head' | 'options';

interface ModelMetrics {
  f1?: number;
  recall?: number;
  precision?: number;
  accuracy?: number;
  [metric: string]: number | undefined;
}

interface ModelApi {
  /** http unless the file says otherwise. */
  protocol: 'http' | 'https';
  /** "/" unless the file says otherwise (always "/" for engines other than Image). */
  url: string;
  /** Lower case; post unless the file says otherwise. */
  method: HttpMethod;
  request: ApiMessage;
  response: ApiMessage;
}

export interface ApiMessage {
  /** application/json unless the file says otherwise, as documented. */
  'Content-type': ContentType;
  /** JSON Schema of the body; may use "type": "file" in a request. */
  data?: DataSchema;
}

interface Dependency {
  installer: 'pip';
  packages: PackageDependency[];
}

/** package_version and restraint are both present or both absent ("any version"). */
export interface PackageDependency {
  package_name: string;
  package_version?: string;
  restraint?: 'EXACT' | 'ATLEAST' | 'ATMOST';
}

interface HealthCheck {
  url: string;
  protocol: 'http' | 'https';
  initial_delay_seconds?: number;
  timeout_seconds?: number;
}
