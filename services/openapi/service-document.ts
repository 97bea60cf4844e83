/**
 * The OpenAPI 3.1 document of one service, served at `<access address>/openapi.json`:
 * each API its model's config.json declares (url, method, request Content-type and
 * `data` schema, response schema), then what every service answers beside it — TF
 * Serving's REST API and the Open Inference Protocol on the model itself, /metrics,
 * /health. Files (`"type": "file"`) become binary strings of a multipart body.
 */
import { ERROR_SCHEMAS } from '../../kernel/http/error-schemas';
import { toOpenApiSchema } from '../../kernel/validation/openapi-schema';
import { expectedFileFields } from '../instance/request-body';
import { tfServingPredictBody, v2InferBody, type SignatureInput } from './model-api-schemas';

interface ApiDeclaration {
  url?: string;
  method?: string;
  protocol?: string;
  procotol?: string;
  request?: { 'Content-type'?: string; data?: unknown };
  response?: { 'Content-type'?: string; data?: unknown };
}

/** One model of a package, with its signature. */
interface PackageModel {
  inputs: SignatureInput[];
  outputs: { name: string }[];
}

export interface ServiceDocumentSource {
  service: { name: string; description?: string; app_code?: string };
  /** `models`: the package's models (TF Serving's and V2's bodies follow the signature of a package's only model). */
  model: { name: string; version: string; apis: unknown[]; models?: PackageModel[]; hook_file?: string };
}

export function serviceDocument(source: ServiceDocumentSource): Record<string, unknown> {
  const { service, model } = source;
  const schemas: Record<string, unknown> = { Error: ERROR_SCHEMAS.platform, ModelApiError: ERROR_SCHEMAS['tf-serving'], RuntimeError: ERROR_SCHEMAS['modelarts-runtime'] };
  // A customize_service.py is served the way ModelArts' Python runtime serves it, errors included.
  const hookErrors = model.hook_file?.endsWith('.py') ? 'RuntimeError' : 'Error';
  const paths: Record<string, Record<string, unknown>> = {};
  (model.apis as ApiDeclaration[]).forEach((api, i) => {
    const url = api.url ?? '/';
    const method = (api.method ?? 'post').toLowerCase();
    (paths[url] ??= {})[method] = operation(api, i, schemas, `#/components/schemas/${hookErrors}`);
  });
  const signature = model.models?.length === 1 ? model.models[0] : undefined;
  Object.assign(paths, modelApiPaths(service.name, signature));
  return {
    openapi: '3.1.0',
    info: {
      title: `service ${service.name}`,
      version: model.version,
      description: `${service.description ? `${service.description}\n\n` : ''}Model ${model.name} ${model.version}. The first paths are the model's own APIs, as its config.json declares them.`,
    },
    paths,
    components: {
      schemas,
      // A service with an app code asks for it on every call but /health (services/instance/request-handler.ts).
      ...(service.app_code && { securitySchemes: { appCode: { type: 'apiKey', in: 'header', name: 'X-Apig-AppCode', description: "the service's app code" } } }),
    },
    ...(service.app_code && { security: [{ appCode: [] }] }),
  };
}

function operation(api: ApiDeclaration, index: number, schemas: Record<string, unknown>, errors: string): Record<string, unknown> {
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
    requestBody: { required: true, content: { [requestType]: { schema: { ...ref(requestName), ...fileFieldsRequired(api.request?.data) } } } },
    responses: {
      '200': { description: 'the inference code\'s answer', content: { [responseType]: { schema: ref(responseName) } } },
      ...errorResponses(errors, { '400': 'bad input', '413': 'the body is too large', '415': 'another Content-Type', '500': 'the inference code failed', '503': 'the service is not running', '504': 'the model did not answer in time' }),
      default: errorResponse(errors),
    },
  };
}

/**
 * A multipart request must carry a file in one of the fields config.json declares as
 * files (services/instance/request-body.ts checks it), whether or not the schema lists them as required.
 */
function fileFieldsRequired(data: unknown): Record<string, unknown> {
  const fields = expectedFileFields(data);
  if (!fields.length) return {};
  return fields.length === 1 ? { required: fields } : { anyOf: fields.map((f) => ({ required: [f] })) };
}

function errorResponses(ref: string, statuses: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(statuses).map(([status, description]) => [status, { ...errorResponse(ref), description }]));
}

/**
 * TF Serving's REST API, the Open Inference Protocol, /metrics and /health: the same on
 * every service, with the request bodies of its model's signature when the package holds one model.
 */
function modelApiPaths(name: string, signature: PackageModel | undefined): Record<string, Record<string, unknown>> {
  const modelError = (statuses: Record<string, string>) => ({ ...errorResponses('#/components/schemas/ModelApiError', statuses), default: errorResponse('#/components/schemas/ModelApiError') });
  const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
  const get = (operationId: string, summary: string) => ({ get: { operationId, summary, responses: { '200': json('the answer'), ...modelError({ '404': 'no such model or version' }) } } });
  const post = (operationId: string, summary: string, body: Record<string, unknown>) => ({
    post: { operationId, summary, requestBody: { required: true, content: { 'application/json': { schema: body } } }, responses: { '200': json("the model's outputs"), ...modelError({ '400': 'bad input', '404': 'no such model or version' }) } },
  });
  const inputs = signature?.inputs;
  return {
    [`/v1/models/${name}`]: get('tfServingStatus', "TF Serving: the model's version status"),
    [`/v1/models/${name}/metadata`]: get('tfServingMetadata', "TF Serving: the model's signature_def"),
    [`/v1/models/${name}:predict`]: post('tfServingPredict', 'TF Serving: predict on "instances" (rows) or "inputs" (columns), without the inference code', tfServingPredictBody(inputs)),
    '/v2': get('v2Server', 'Open Inference Protocol: server metadata'),
    '/v2/health/live': get('v2Live', 'Open Inference Protocol: liveness'),
    '/v2/health/ready': get('v2Ready', 'Open Inference Protocol: readiness'),
    [`/v2/models/${name}`]: get('v2Model', 'Open Inference Protocol: model metadata (inputs and outputs with datatype and shape)'),
    [`/v2/models/${name}/ready`]: get('v2ModelReady', 'Open Inference Protocol: model readiness'),
    [`/v2/models/${name}/infer`]: post('v2Infer', 'Open Inference Protocol: inference on inputs [{name, shape, datatype, data}], without the inference code', v2InferBody(inputs, signature?.outputs.map((o) => o.name))),
    '/metrics': { get: { operationId: 'metrics', summary: "The service's metrics (all its instances) in Prometheus' text format", responses: { '200': { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } } }, security: [] } },
    '/health': { get: { operationId: 'health', summary: 'Whether the instance that answers is up', responses: { '200': json('the answer') }, security: [] } },
  };
}

function errorResponse(ref: string): Record<string, unknown> {
  return { description: 'an error', content: { 'application/json': { schema: { $ref: ref } } } };
}
