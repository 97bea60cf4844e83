import { ApiError, type Problem } from '../../kernel/errors';
import type { Schemas } from '../../kernel/validation/schemas';
import type { ModelRecord } from '../../models/model-record';
import type { BatchingRequest } from '../batching/batching-config';
import type { BatchSettings } from './batch-record';
import { indexedLeaves } from './csv-mapping';
import { parseBatchPath } from './batch-paths';

/** POST /services with `infer_type: "batch"`. */
export interface CreateBatchRequest extends BatchSettings {
  name: string;
  description?: string;
  infer_type: 'batch';
  model_id: string;
  instance_count?: number;
  specification?: string;
  envs?: Record<string, string>;
  batching?: BatchingRequest;
}

/** How each input is sent: the API's request Content-type, and for mapping_type file the one file field. */
export interface BatchApi {
  contentType: string;
  fileField?: string;
}

interface ApiDeclaration {
  url?: string;
  request?: { 'Content-type'?: string; data?: { properties?: Record<string, { type?: string }> } };
}

/** The body checked against schemas/batch-service.schema.json and its paths read as OBS locations. */
export function parseCreateBatch(body: unknown, schemas: Schemas, prefix = ''): CreateBatchRequest {
  const req = withPrefix(prefix, () => schemas.parse<CreateBatchRequest>('batch-service', body));
  for (const field of ['src_path', 'dest_path'] as const) {
    try {
      parseBatchPath(req[field]);
    } catch (err) {
      throw invalid(`${prefix}${field}`, (err as Error).message);
    }
  }
  if (req.src_type === 'ManifestFile' && !req.src_path.endsWith('.manifest')) {
    throw invalid(`${prefix}src_path`, 'with src_type ManifestFile, src_path names a .manifest file (one {"source": "obs://…"} line per input)');
  }
  return req;
}

/**
 * The model API that `req_uri` names, with what a batch needs of it: a request
 * Content-type and data in config.json, one file field for mapping_type file, and a
 * mapping_rule that fills at least one field for csv.
 */
export function batchApi(model: ModelRecord, req: BatchSettings, prefix = ''): BatchApi {
  const apis = model.apis as ApiDeclaration[];
  const index = apis.findIndex((a) => (a.url ?? '/') === req.req_uri);
  if (index === -1) {
    const urls = apis.map((a) => JSON.stringify(a.url ?? '/')).join(', ') || 'none';
    throw invalid(`${prefix}req_uri`, `${JSON.stringify(req.req_uri)} is not one of model ${model.name} ${model.version}'s config.json apis URLs (${urls})`);
  }
  const request = apis[index].request;
  const where = `config.json apis[${index}].request`;
  const contentType = request?.['Content-type'];
  if (!contentType) throw invalid(`${prefix}req_uri`, `a batch service needs ${where}.Content-type (multipart/form-data or application/json); model ${model.name} ${model.version} has none`);
  if (!request?.data) throw invalid(`${prefix}req_uri`, `a batch service needs ${where}.data (the request's fields); model ${model.name} ${model.version} has none`);
  if (req.mapping_type === 'csv') {
    if (!req.mapping_rule) throw invalid(`${prefix}mapping_rule`, `mapping_type csv needs mapping_rule: ${where}.data with an index (column, from 0) on each field the CSV fills`);
    if (!indexedLeaves(req.mapping_rule).length) throw invalid(`${prefix}mapping_rule`, 'names no column: give a string, number, integer or boolean field an "index" (from 0)');
    return { contentType };
  }
  const files = Object.entries(request.data.properties ?? {}).filter(([, p]) => p?.type === 'file');
  if (files.length !== 1 || !contentType.toLowerCase().startsWith('multipart/form-data')) {
    throw invalid(`${prefix}mapping_type`, `mapping_type file sends each input as the API's one file field, but ${where} has ${files.length} fields of type file and Content-type ${contentType}; use mapping_type csv, or an API with one file field`);
  }
  return { contentType, fileField: files[0][0] };
}

function invalid(path: string, message: string): ApiError {
  return new ApiError('invalid_request', `${path}: ${message}`, [{ path, message }]);
}

/** Runs `parse`; the problems it finds are renamed under `prefix` (ModelArts' config[0].). */
function withPrefix<T>(prefix: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!prefix || !(err instanceof ApiError) || !err.problems) throw err;
    const problems: Problem[] = err.problems.map((p) => ({ ...p, path: p.path ? `${prefix}${p.path}` : prefix.replace(/\.$/, '') }));
    throw new ApiError(err.kind, err.message, problems, err.extra);
  }
}
