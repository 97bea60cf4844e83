import type { Schemas } from '../kernel/validation/schemas';
import type { CorsSettings } from './service-record';
import type { BatchingRequest } from './batching/batching-config';

/** A model's share of a service's traffic, as requested. */
export interface TrafficRequest {
  model_id: string;
  weight: number;
  instance_count?: number;
  specification?: string;
  envs?: Record<string, string>;
}

export interface CreateServiceRequest {
  name: string;
  description?: string;
  /** One model, or several sharing the traffic by weight (`traffic`): exactly one of the two. */
  model_id?: string;
  traffic?: TrafficRequest[];
  instance_count?: number;
  specification?: string;
  envs?: Record<string, string>;
  cors?: CorsSettings;
  app_code?: string;
  batching?: BatchingRequest;
}

export interface DeployServiceRequest {
  model_id?: string;
  traffic?: TrafficRequest[];
  instance_count?: number;
  envs?: Record<string, string>;
  cors?: CorsSettings;
  app_code?: string | null;
  batching?: BatchingRequest;
}

export function parseCreateService(body: unknown, schemas: Schemas): CreateServiceRequest {
  // The schema says model_id or traffic, exactly one of them.
  return schemas.parse<CreateServiceRequest>('service', body);
}

export function parseDeployService(body: unknown, schemas: Schemas): DeployServiceRequest {
  // The schema says model_id or traffic, not both.
  return schemas.parse<DeployServiceRequest>('service-deploy', body);
}
