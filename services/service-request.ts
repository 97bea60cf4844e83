import type { Schemas } from '../platform/validation/schemas';
import type { CorsSettings } from './service-record';

export interface CreateServiceRequest {
  name: string;
  description?: string;
  model_id: string;
  instance_count?: number;
  specification?: string;
  envs?: Record<string, string>;
  cors?: CorsSettings;
  app_code?: string;
}

export interface DeployServiceRequest {
  model_id?: string;
  instance_count?: number;
  envs?: Record<string, string>;
  cors?: CorsSettings;
  app_code?: string | null;
}

export function parseCreateService(body: unknown, schemas: Schemas): CreateServiceRequest {
  return schemas.parse<CreateServiceRequest>('service', body);
}

export function parseDeployService(body: unknown, schemas: Schemas): DeployServiceRequest {
  return schemas.parse<DeployServiceRequest>('service-deploy', body);
}
