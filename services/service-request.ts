import { ApiError } from '../kernel/errors';
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
  const req = schemas.parse<CreateServiceRequest>('service', body);
  if ((req.model_id === undefined) === (req.traffic === undefined)) {
    throw new ApiError('invalid_request', 'give model_id (one model) or traffic (several models with weights), exactly one of them', [{ path: 'model_id', message: 'or traffic is required, not both' }]);
  }
  return req;
}

export function parseDeployService(body: unknown, schemas: Schemas): DeployServiceRequest {
  const req = schemas.parse<DeployServiceRequest>('service-deploy', body);
  if (req.model_id !== undefined && req.traffic !== undefined) {
    throw new ApiError('invalid_request', 'give model_id or traffic, not both', [{ path: 'traffic', message: 'cannot be given with model_id' }]);
  }
  return req;
}
