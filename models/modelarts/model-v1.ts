import type { Schemas } from '../../kernel/validation/schemas';
import { ApiError } from '../../kernel/errors';
import type { ModelRecord } from '../model-record';
import { v2ObsPath } from '../../jobs/modelarts/training-job-v2';
import { formatObsUrl, ObsUrl, ObsUrlError, parseObsUrl } from '../../kernel/storage/obs-url';

/** ModelArts v1 model words ↔ the platform's model records. */

interface V1ModelCreate {
  model_name: string;
  model_version: string;
  description?: string;
  source_location?: string;
  source_job_id?: string;
  source_job_version?: string;
}

/**
 * A v1 create body as a POST /models/import body, and the job it names for tracing. As in
 * ModelArts, `source_location` is the model's folder (model/ itself, or the folder holding it;
 * obs://, /bucket/path or https://<bucket>.obs.<region>.myhuaweicloud.com/<path>), and
 * `source_job_id`/`source_job_version` beside it only trace where it came from; without
 * `source_location`, the job's output is imported.
 */
export function platformImportBody(body: unknown, schemas: Schemas): { body: Record<string, unknown>; trace?: { source_job_id: string; source_job_version?: string } } {
  const v1 = schemas.parse<V1ModelCreate>('modelarts-model-v1', body);
  // The schema says source_location or source_job_id, at least one of them.
  const base = { name: v1.model_name, version: v1.model_version, ...(v1.description !== undefined && { description: v1.description }) };
  if (v1.source_location === undefined) {
    return { body: { ...base, training_job_id: v1.source_job_id, ...(v1.source_job_version && { training_job_version: v1.source_job_version }) } };
  }
  const url = formatObsUrl(parseSourceLocation(v1.source_location));
  const trace = v1.source_job_id !== undefined ? { source_job_id: v1.source_job_id, ...(v1.source_job_version && { source_job_version: v1.source_job_version }) } : undefined;
  return { body: { ...base, url: url.replace(/\/model\/?$/, '/') }, trace };
}

function parseSourceLocation(raw: string): ObsUrl {
  try {
    return parseObsUrl(raw);
  } catch (err) {
    if (err instanceof ObsUrlError) throw new ApiError('invalid_request', err.message, [{ path: 'source_location', message: err.message }]);
    throw err;
  }
}

const ms = (iso: string) => new Date(iso).getTime();

/** A model as ModelArts' v1 list answers it. */
function modelV1Summary(m: ModelRecord, projectId: string): Record<string, unknown> {
  return {
    model_id: m.id,
    model_name: m.name,
    model_version: m.version,
    model_type: m.model_type,
    model_size: m.size_bytes,
    tenant: projectId,
    project: projectId,
    owner: projectId,
    create_at: ms(m.created_at),
    description: m.description,
    source_type: m.source.type === 'training_job' ? 'auto' : '',
    model_source: 'custom',
    model_status: m.status,
    install_type: ['real-time'],
    workspace_id: '0',
  };
}

/** A model as ModelArts' v1 detail answers it. */
export function modelV1Detail(m: ModelRecord, projectId: string): Record<string, unknown> {
  return {
    ...modelV1Summary(m, projectId),
    runtime: m.runtime ?? '',
    model_algorithm: m.model_algorithm,
    source_location: v2ObsPath(m.source.url),
    source_job_id: m.source.type === 'training_job' ? m.source.training_job_id : (m.source.source_job_id ?? ''),
    source_job_version: m.source.type === 'training_job' ? m.source.training_job_version : (m.source.source_job_version ?? ''),
    model_metrics: JSON.stringify(m.metrics ?? {}),
    apis: m.apis,
    dependencies: m.dependencies,
    health: m.health,
    config: JSON.stringify(m.config),
    ...(m.reason && { error_msg: m.reason }),
  };
}

export interface ModelListQuery {
  model_name?: string;
  model_version?: string;
  model_status?: string;
  model_type?: string;
  description?: string;
  offset: number;
  limit: number;
  sort_by: 'create_at' | 'model_version' | 'model_size';
  order: 'asc' | 'desc';
}

/** ListModels: name and description match in part, the rest exactly; `offset` is a page number. */
export function listModelsV1(models: ModelRecord[], q: ModelListQuery, projectId: string): Record<string, unknown> {
  const contains = (field: string, part?: string) => part === undefined || field.toLowerCase().includes(part.toLowerCase());
  const matching = models.filter(
    (m) =>
      contains(m.name, q.model_name) &&
      contains(m.description, q.description) &&
      (!q.model_version || m.version === q.model_version) &&
      (!q.model_status || m.status === q.model_status) &&
      (!q.model_type || m.model_type === q.model_type),
  );
  const key = (m: ModelRecord) => (q.sort_by === 'model_size' ? m.size_bytes : q.sort_by === 'model_version' ? m.version : m.created_at);
  matching.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (q.order === 'asc' ? 1 : -1));
  const page = matching.slice(q.offset * q.limit, q.offset * q.limit + q.limit);
  return { total_count: matching.length, count: page.length, models: page.map((m) => modelV1Summary(m, projectId)) };
}
