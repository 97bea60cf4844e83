import type { Schemas } from '../../kernel/validation/schemas';
import { ApiError } from '../../kernel/errors';
import { ServiceRecord, sharesOf } from '../service-record';

/** ModelArts v1 service words ↔ the platform's service records. */

interface V1Config {
  model_id: string;
  /** A number, or digits in a string as ModelArts' own examples send it ("70"). */
  weight?: number | string;
  specification?: string;
  instance_count?: number;
  envs?: Record<string, string>;
}

export interface V1ServiceBody {
  service_name?: string;
  description?: string;
  infer_type?: string;
  status?: 'running' | 'stopped';
  config?: V1Config[];
}

export function parseServiceBody(body: unknown, schemas: Schemas): V1ServiceBody {
  return schemas.parse<V1ServiceBody>('modelarts-service-v1', body);
}

/** `config` as the platform's traffic shares; the weights of several models must add up to 100, as ModelArts requires. */
export function trafficOf(config: V1Config[]): Record<string, unknown>[] {
  const weight = (c: V1Config) => (c.weight === undefined ? undefined : Number(c.weight));
  if (config.length > 1) {
    const total = config.reduce((n, c) => n + (weight(c) ?? 0), 0);
    if (total !== 100) {
      throw new ApiError('invalid_request', `the weights of the models in config add up to ${total}; they must add up to 100`, [{ path: 'config', message: 'weights must add up to 100' }]);
    }
  }
  return config.map((c) => ({
    model_id: c.model_id,
    weight: weight(c) ?? 100,
    ...(c.instance_count && { instance_count: c.instance_count }),
    ...(c.specification && { specification: c.specification }),
    ...(c.envs && { envs: c.envs }),
  }));
}

/** A v1 create body as a POST /services body. */
export function platformServiceBody(v1: V1ServiceBody): Record<string, unknown> {
  const missing = (['service_name', 'infer_type', 'config'] as const).filter((k) => v1[k] === undefined);
  if (missing.length) throw new ApiError('invalid_request', `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} required`, missing.map((path) => ({ path, message: 'is required' })));
  return { name: v1.service_name, ...(v1.description !== undefined && { description: v1.description }), traffic: trafficOf(v1.config!) };
}

const ms = (iso: string) => new Date(iso).getTime();

/** What the service does now, in ModelArts' v1 statuses. */
function status(s: ServiceRecord): string {
  return s.status === 'stopping' ? 'stopped' : s.status;
}

export function serviceV1Summary(s: ServiceRecord, projectId: string): Record<string, unknown> {
  return {
    service_id: s.id,
    service_name: s.name,
    description: s.description,
    tenant: projectId,
    project: projectId,
    owner: projectId,
    publish_at: ms(s.created_at),
    update_time: ms(s.updated_at),
    infer_type: 'real-time',
    status: status(s),
    progress: s.status === 'running' ? 100 : 0,
    error_msg: s.reason ?? '',
    invocation_times: s.request_count,
    failed_times: s.failure_count,
    is_shared: false,
    shared_count: 0,
    workspace_id: '0',
  };
}

/** The detail, with `access_address` on the gateway of the platform at `origin`. */
export function serviceV1Detail(s: ServiceRecord, projectId: string, origin: string): Record<string, unknown> {
  const config = sharesOf(s).map((x) => {
    const instances = s.instances.filter((i) => i.model_id === x.model_id);
    const ready = instances.filter((i) => i.state === 'ready').length;
    return {
      model_id: x.model_id,
      model_name: x.model_name,
      model_version: x.model_version,
      weight: x.weight,
      specification: x.specification ?? s.specification,
      instance_count: x.instance_count,
      envs: { ...s.envs, ...x.envs },
      status: ready > 0 && s.status !== 'stopped' ? 'running' : status(s),
      scaling: false,
    };
  });
  return {
    ...serviceV1Summary(s, projectId),
    config,
    access_address: `${origin}/v1/infers/${s.id}`,
    debug_url: s.access_address ?? '',
  };
}
