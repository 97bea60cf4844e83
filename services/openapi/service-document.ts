/**
 * The OpenAPI 3.1 document of one service, served at `<access address>/openapi.json`:
 * each API its model's config.json declares (url, method, request Content-type and
 * `data` schema, response schema), then what every service answers beside it — TF
 * Serving's REST API and the Open Inference Protocol on the model itself, /metrics,
 * /health. Files (`"type": "file"`) become binary strings of a multipart body.
 */
import { toOpenApiSchema } from '../../kernel/validation/openapi-schema';

interface ApiDeclaration {
  url?: string;
  method?: string;
  protocol?: string;
  procotol?: string;
  request?: { 'Content-type'?: string; data?: unknown };
  response?: { 'Content-type'?: string; data?: unknown };
}

export interface ServiceDocumentSource {
  service: { name: string; description?: string };
  model: { name: string; version: string; apis: unknown[] };
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error_code', 'error_msg'],
  properties: { error_code: { type: 'string', examples: ['MR.0105'] }, error_msg: { type: 'string' } },
};
const MODEL_ERROR_SCHEMA = { type: 'object', required: ['error'], properties: { error: { type: 'string' } } };

export function serviceDocument(source: ServiceDocumentSource): Record<string, unknown> {
  const { service, model } = source;
  const schemas: Record<string, unknown> = { Error: ERROR_SCHEMA, ModelApiError: MODEL_ERROR_SCHEMA };
  const paths: Record<string, Record<string, unknown>> = {};
  (model.apis as ApiDeclaration[]).forEach((api, i) => {
    const url = api.url ?? '/';
    const method = (api.method ?? 'post').toLowerCase();
    (paths[url] ??= {})[method] = operation(api, i, schemas);
  });
  Object.assign(paths, modelApiPaths(service.name));
  return {
    openapi: '3.1.0',
    info: {
      title: `service ${service.name}`,
      version: model.version,
      description: `${service.description ? `${service.description}\n\n` : ''}Model ${model.name} ${model.version}. The first paths are the model's own APIs, as its config.json declares them.`,
    },
    paths,
    components: { schemas },
  };
}

function operation(api: ApiDeclaration, index: number, schemas: Record<string, unknown>): Record<string, unknown> {
  const requestType = api.request?.['Content-type'] ?? 'application/json';
  const responseType = api.response?.['Content-type'] ?? 'application/json';
  const requestName = `api${index}Request`;
  const responseName = `api${index}Response`;
  if (api.request?.data !== undefined) schemas[requestName] = toOpenApiSchema(api.request.data, { name: requestName });
  if (api.response?.data !== undefined) schemas[responseName] = toOpenApiSchema(api.response.data, { name: responseName });
  const ref = (name: string) => (schemas[name] ? { $ref: `#/components/schemas/${name}` } : {});
  return {
    operationId: `api${index}`,
    summary: `config.json apis[${index}] (${api.protocol ?? api.procotol ?? 'http'})`,
    requestBody: { required: true, content: { [requestType]: { schema: ref(requestName) } } },
    responses: {
      '200': { description: 'the inference code\'s answer', content: { [responseType]: { schema: ref(responseName) } } },
      ...errorResponses('#/components/schemas/Error', { '400': 'bad input', '413': 'the body is too large', '415': 'another Content-Type', '500': 'the inference code failed', '503': 'the service is not running', '504': 'the model did not answer in time' }),
    },
  };
}

function errorResponses(ref: string, statuses: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(statuses).map(([status, description]) => [status, { description, content: { 'application/json': { schema: { $ref: ref } } } }]));
}

/** TF Serving's REST API, the Open Inference Protocol, /metrics and /health: the same on every service. */
function modelApiPaths(name: string): Record<string, Record<string, unknown>> {
  const modelError = (statuses: Record<string, string>) => errorResponses('#/components/schemas/ModelApiError', statuses);
  const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
  const get = (summary: string, extra: Record<string, unknown> = {}) => ({ get: { summary, responses: { '200': json('the answer'), ...modelError({ '404': 'no such model or version' }) }, ...extra } });
  const post = (summary: string) => ({
    post: { summary, requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } }, responses: { '200': json('the model\'s outputs'), ...modelError({ '400': 'bad input', '404': 'no such model or version' }) } },
  });
  return {
    [`/v1/models/${name}`]: get("TF Serving: the model's version status"),
    [`/v1/models/${name}/metadata`]: get("TF Serving: the model's signature_def"),
    [`/v1/models/${name}:predict`]: post('TF Serving: predict on "instances" (rows) or "inputs" (columns), without the inference code'),
    '/v2': get('Open Inference Protocol: server metadata'),
    '/v2/health/live': get('Open Inference Protocol: liveness'),
    '/v2/health/ready': get('Open Inference Protocol: readiness'),
    [`/v2/models/${name}`]: get('Open Inference Protocol: model metadata (inputs and outputs with datatype and shape)'),
    [`/v2/models/${name}/ready`]: get('Open Inference Protocol: model readiness'),
    [`/v2/models/${name}/infer`]: post('Open Inference Protocol: inference on inputs [{name, shape, datatype, data}], without the inference code'),
    '/metrics': { get: { summary: "The service's metrics (all its instances) in Prometheus' text format", responses: { '200': { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    '/health': get('Whether the instance that answers is up'),
  };
}
