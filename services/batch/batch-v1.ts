import { ApiError } from '../../kernel/errors';
import type { BatchServiceRecord } from './batch-record';

/** ModelArts' v1 service words ↔ batch service records. */

interface V1BatchConfig {
  model_id?: string;
  specification?: string;
  instance_count?: number;
  envs?: Record<string, string>;
  src_path?: string;
  dest_path?: string;
  req_uri?: string;
  mapping_type?: string;
  mapping_rule?: Record<string, unknown>;
  src_type?: string;
}

interface V1BatchBody {
  service_name?: string;
  description?: string;
  config?: V1BatchConfig[];
}

/** A v1 create body with infer_type "batch" as a POST /services body; problems in it are named config[0].<field>. */
export function batchBodyFromV1(v1: V1BatchBody): Record<string, unknown> {
  if (v1.service_name === undefined) throw new ApiError('invalid_request', 'service_name is required', [{ path: 'service_name', message: 'is required' }]);
  const config = v1.config ?? [];
  if (config.length !== 1) {
    throw new ApiError('invalid_request', `a batch service runs exactly one model: config has ${config.length} entries`, [{ path: 'config', message: 'must hold exactly one model for infer_type batch' }]);
  }
  const c = config[0];
  const fields = ['model_id', 'specification', 'instance_count', 'envs', 'src_path', 'dest_path', 'req_uri', 'mapping_type', 'mapping_rule', 'src_type'] as const;
  const picked = Object.fromEntries(fields.filter((f) => c[f] !== undefined).map((f) => [f, c[f]]));
  return { name: v1.service_name, ...(v1.description !== undefined && { description: v1.description }), infer_type: 'batch', ...picked };
}

const ms = (iso: string | undefined) => (iso ? new Date(iso).getTime() : undefined);

/** The batch's status in v1 words ("stopping" is on its way to "stopped"). */
function status(r: BatchServiceRecord): string {
  return r.status === 'stopping' ? 'stopped' : r.status;
}

export function batchV1Summary(r: BatchServiceRecord, projectId: string): Record<string, unknown> {
  return {
    service_id: r.id,
    service_name: r.name,
    description: r.description,
    tenant: projectId,
    project: projectId,
    owner: projectId,
    publish_at: ms(r.created_at),
    update_time: ms(r.updated_at),
    infer_type: 'batch',
    status: status(r),
    // For a batch, the share of its inputs scored so far.
    progress: r.progress.total ? Math.floor((r.progress.done / r.progress.total) * 100) : r.status === 'finished' ? 100 : 0,
    error_msg: r.reason ?? '',
    invocation_times: r.progress.done,
    failed_times: r.progress.failed,
    is_shared: false,
    shared_count: 0,
    workspace_id: '0',
    ...(r.finished_at && { finished_time: ms(r.finished_at) }),
  };
}

export function batchV1Detail(r: BatchServiceRecord, projectId: string): Record<string, unknown> {
  const b = r.batch;
  return {
    ...batchV1Summary(r, projectId),
    config: [
      {
        model_id: r.model_id,
        model_name: r.model_name,
        model_version: r.model_version,
        specification: r.specification,
        instance_count: r.instance_count,
        envs: r.envs,
        src_path: b.src_path,
        dest_path: b.dest_path,
        req_uri: b.req_uri,
        mapping_type: b.mapping_type,
        ...(b.mapping_rule && { mapping_rule: b.mapping_rule }),
        ...(b.src_type && { src_type: b.src_type }),
        status: status(r),
      },
    ],
    ...(r.started_at && { start_time: ms(r.started_at) }),
    src_path: b.src_path,
    dest_path: b.dest_path,
    req_uri: b.req_uri,
  };
}
