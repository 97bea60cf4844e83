/**
 * The control plane's OpenAPI 3.1 document (GET /openapi.json), made at start from
 * the routers themselves (every method and path they answer), ROUTE_DOCS (what each
 * one is) and the JSON Schemas in schemas/ that the handlers validate bodies with,
 * converted once into components. The prediction gateways, which answer outside the
 * routers, are added by hand.
 */
import type Router from '@koa/router';
import type { PlatformContext } from '../../../kernel/context';
import { toOpenApiSchema } from '../../../kernel/validation/openapi-schema';
import { ROUTE_DOCS, type RouteDoc } from './route-docs';

export interface RouteEntry {
  method: string;
  /** As the router declares it: `/services/:id`, `/buckets/:bucket/objects/{*key}`. */
  path: string;
}

/** Every method and path the routers answer (HEAD, answered with GET, is left out). */
export function routesOf(routers: Router[]): RouteEntry[] {
  return routers.flatMap((r) => r.stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((method) => ({ method, path: String(layer.path) }))));
}

export function docKey(route: RouteEntry): string {
  return `${route.method} ${route.path}`;
}

/** `/services/:id` → `/services/{id}`, `{*key}` → `{key}` (a key may hold slashes). */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, '{$1}').replace(/\{\*(\w+)\}/g, '{$1}');
}

export function controlPlaneDocument(routers: Router[], p: PlatformContext): Record<string, unknown> {
  const schemas: Record<string, unknown> = { Error: ERROR_SCHEMA };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routesOf([...routers, ...SELF])) {
    const doc = ROUTE_DOCS[docKey(route)] ?? { tag: 'platform', summary: '(not described)' };
    if (doc.body && !schemas[doc.body]) {
      schemas[doc.body] = toOpenApiSchema(p.schemas.schema(doc.body), { name: doc.body });
    }
    (paths[openApiPath(route.path)] ??= {})[route.method.toLowerCase()] = operation(route, doc);
  }
  Object.assign(paths, gatewayPaths());
  return {
    openapi: '3.1.0',
    info: {
      title: 'ModelArts Local',
      version: p.version,
      description: "The control plane: storage, training jobs, models, services, ModelArts' own API (/v1/{project_id}, /v2/{project_id}, /v3) and the prediction gateways. Request bodies are the JSON Schemas the platform validates them with.",
    },
    servers: [{ url: '/' }],
    security: p.config.modelarts.authRequired ? [{ token: [] }] : [],
    paths,
    components: {
      schemas,
      securitySchemes: { token: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: "The platform's AUTH_TOKEN or a token from POST /v3/auth/tokens (AK/SK SDK-HMAC-SHA256 signatures are accepted as well)" } },
    },
  };
}

/** Routes the document itself adds (it is served by a router made after it). */
const SELF = [{ stack: [{ methods: ['GET'], path: '/openapi.json' }] } as unknown as Router];

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error_code', 'error_msg'],
  properties: { error_code: { type: 'string', examples: ['ModelArts.0101'] }, error_msg: { type: 'string' }, errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } } },
};

function operation(route: RouteEntry, doc: RouteDoc): Record<string, unknown> {
  const params = [...route.path.matchAll(/:([A-Za-z_]\w*)|\{\*(\w+)\}/g)].map((m) => ({ name: m[1] ?? m[2], in: 'path', required: true, schema: { type: 'string' } }));
  const query = (doc.query ?? []).map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } }));
  const produced = doc.produces ?? 'application/json';
  return {
    tags: [doc.tag],
    summary: doc.summary,
    operationId: `${route.method.toLowerCase()}${openApiPath(route.path).replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(\w)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(params.length || query.length ? { parameters: [...params, ...query] } : {}),
    ...(doc.body && { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${doc.body}` } } } } }),
    ...(doc.rawBody && { requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } } }),
    responses: {
      '2XX': { description: 'done', content: { [produced]: { schema: produced === 'application/json' ? { type: 'object' } : { type: 'string' } } } },
      default: { description: 'an error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    },
  };
}

/** The prediction gateways: /v1/infers/{service_id}/… and TF Serving's /v1/models/{name}…, proxied to an instance. */
function gatewayPaths(): Record<string, Record<string, unknown>> {
  const id = { name: 'service_id', in: 'path', required: true, schema: { type: 'string' } };
  const name = { name: 'name', in: 'path', required: true, schema: { type: 'string' }, description: 'the service name' };
  const answer = { '200': { description: "the service's answer" }, default: { description: 'an error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } };
  const through = (summary: string, parameters: unknown[]) => ({ tags: ['services'], summary, parameters, responses: answer });
  return {
    '/v1/infers/{service_id}/': {
      post: { ...through("A prediction from the service's inference code, as its config.json apis say (see <access_address>/openapi.json)", [id]), requestBody: { content: { 'multipart/form-data': {}, 'application/json': {} } } },
    },
    '/v1/infers/{service_id}/{path}': {
      get: through("Any other path of the service (TF Serving's /v1/models/…, the Open Inference Protocol's /v2/…, /metrics, /openapi.json)", [id, { name: 'path', in: 'path', required: true, schema: { type: 'string' } }]),
      post: through('The same for POSTs (e.g. /v2/models/{name}/infer)', [id, { name: 'path', in: 'path', required: true, schema: { type: 'string' } }]),
    },
    '/v1/models/{name}': { get: through("TF Serving: a service's model version status", [name]) },
    '/v1/models/{name}/metadata': { get: through("TF Serving: a service's model signature", [name]) },
    '/v1/models/{name}:predict': { post: through("TF Serving: predict on a service's model", [name]) },
  };
}
