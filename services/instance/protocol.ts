import type { BatchingConfig } from '../batching/batching-config';
import type { MetricsJson } from '../metrics/instance-metrics';
import type { PortRange } from '../../kernel/net/port-range';
import type { AccessOptions, TokenVerdict } from '../access/instance-guard';

/** What the platform tells an instance process at start (env MA_INSTANCE), and what they say to each other. */
export interface InstanceOptions {
  serviceId: string;
  serviceName: string;
  instanceId: string;
  modelName: string;
  modelId: string;
  /** The service's specification (modelarts.vm.cpu.2u …): what a cluster node must offer the instance. */
  specification: string;
  /** The model's package (its model/ folder) in OBS, from which an instance on another machine fetches it. */
  packageUrl: string;
  /** Local folder holding the package's model/ content (filled in where the instance runs). */
  modelDir: string;
  /** config.json's model_type (TensorFlow, PyTorch). */
  modelType?: string;
  /** A PyTorch model's weights file, relative to modelDir: the hook's model_path. */
  modelFile?: string;
  hookFile?: string;
  host: string;
  port: number;
  /** SERVICE_PORTS: where the instance's own port comes from (unset: any free port). */
  portRange?: PortRange;
  maxBodyBytes: number;
  timeoutMs: number;
  /** How long a client may take to send one whole request. */
  requestTimeoutMs: number;
  /** From the model's config.json apis[0]. */
  api: {
    requestContentType?: string;
    requestSchema?: unknown;
    responseSchema?: unknown;
  };
  allowOrigins: string[];
  /** Who may call the instance, on which port (services/access/instance-guard.ts). */
  access: AccessOptions;
  /** The service's `envs`, set for the hook. */
  envs: Record<string, string>;
  /** For a customize_service.py hook: the PYTHON setting, workers per instance, config.json dependencies. */
  python?: { setting?: string; workers: number; dependencies: unknown[] };
  /** Dynamic batching of the model calls of concurrent requests. */
  batching: BatchingConfig;
  /** The service's OpenAPI document (GET /openapi.json), made from config.json's apis. */
  openapi?: unknown;
  /** The platform's version, for the Open Inference Protocol's server metadata. */
  platformVersion: string;
}

export interface InstanceReady {
  port: number;
  load_ms: number;
  backend: string;
  hook: string;
  /** What the deploy's events should say about this instance beyond it being ready. */
  notes?: string[];
}

export interface LatencySummary {
  p50: number;
  p99: number;
  mean: number;
}

/** Child → parent, after the handshake. */
export type InstanceMessage =
  | { type: 'stats'; requests: number; failures: number; mismatches: number; latency?: LatencySummary }
  | { type: 'event'; level: 'info' | 'warning' | 'error'; message: string }
  | { type: 'drained' }
  /** This instance's metrics, asked for by the platform. */
  | { type: 'metrics'; id: number; metrics: MetricsJson }
  /** A GET /metrics on the service address: the instance asks for the whole service's. */
  | { type: 'service-metrics'; id: number }
  /** A copy of the service's listening socket, sent with this message. */
  | { type: 'spare'; id: number }
  /** A caller's token, for the platform to judge (the instance holds no platform secret). */
  | { type: 'check-token'; id: number; token: string };

/** Parent → child: a connection accepted on the service's HTTP or gRPC port, or the order to drain and exit. */
/**
 * A connection passed with the message: accepted on the service's HTTP or gRPC port, or
 * on the control plane's, whose first request (`head`, the bytes read so far) came to
 * the gateway at `prefix` (`/v1/infers/<id>`); what else comes on it goes back to `platform`.
 */
export type ConnectionMessage =
  | { type: 'connection' }
  | { type: 'grpc-connection' }
  | { type: 'gateway-connection'; prefix: string; head: string; platform: string };

export type ParentMessage =
  | ConnectionMessage
  | { type: 'drain'; graceMs: number }
  | { type: 'metrics'; id: number }
  | { type: 'service-metrics'; id: number; contentType: string; text: string }
  /** The service's listening socket (sent with it): accept from it from now on. */
  | { type: 'listen' }
  /** Send a copy of that socket back. */
  | { type: 'spare'; id: number }
  | { type: 'token-checked'; id: number; verdict: TokenVerdict };

export type ConnectionKind = 'connection' | 'grpc-connection';
