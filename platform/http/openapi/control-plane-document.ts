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
import { ERROR_SCHEMA_NAMES, ERROR_SCHEMAS } from '../../../kernel/http/error-schemas';
import { errorDialect, type ErrorDialect } from '../../../kernel/http/render-error';
import { CONSOLE_ASSETS } from '../routes/console';
import { isIamPublic } from '../routes/iam';
import { addLinks, pathParameterSchema, type Operation as LinkedOperation } from './parameters';
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
  const schemas: Record<string, unknown> = Object.fromEntries(Object.entries(ERROR_SCHEMA_NAMES).map(([dialect, name]) => [name, ERROR_SCHEMAS[dialect as ErrorDialect]]));
  const paths: Record<string, Record<string, Operation>> = {};
  const creating: Parameters<typeof addLinks>[1] = [];
  const { projectId, authRequired } = p.config.modelarts;
  for (const route of routesOf([...routers, ...SELF])) {
    const doc = ROUTE_DOCS[docKey(route)] ?? { tag: 'platform', summary: '(not described)' };
    if (doc.body && !schemas[doc.body]) {
      schemas[doc.body] = toOpenApiSchema(p.schemas.schema(doc.body), { name: doc.body });
    }
    const path = openApiPath(route.path);
    // An empty body counts as {} (kernel/http/body.ts): the body may be left out where the schema takes {}.
    const bodyRequired = !!doc.body && p.schemas.check(doc.body, {}).length > 0;
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route, doc, { projectId, authRequired, bodyRequired });
    if (doc.creates) creating.push({ path, method: route.method.toLowerCase(), creates: doc.creates, status: String(successStatuses(doc)[0]) });
  }
  Object.assign(paths, gatewayPaths(authRequired));
  addLinks(paths, creating);
  return {
    openapi: '3.1.0',
    info: {
      title: 'ModelArts Local',
      version: p.version,
      description: "The control plane: storage, training jobs, models, services, ModelArts' own API (/v1/{project_id}, /v2/{project_id}, /v3) and the prediction gateways. Request bodies are the JSON Schemas the platform validates them with.",
    },
    servers: [{ url: '/' }],
    security: authRequired ? [{ token: [] }] : [],
    paths,
    components: {
      schemas,
      securitySchemes: {
        token: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: "The platform's AUTH_TOKEN or a token from POST /v3/auth/tokens (AK/SK SDK-HMAC-SHA256 signatures are accepted as well)" },
        appCode: { type: 'apiKey', in: 'header', name: 'X-Apig-AppCode', description: "A service's app code: predictions through the gateway for that service" },
      },
    },
  };
}

type Operation = LinkedOperation & Record<string, unknown>;

/** Routes the document itself adds (it is served by a router made after it). */
const SELF = [{ stack: [{ methods: ['GET'], path: '/openapi.json' }] } as unknown as Router];

function successStatuses(doc: RouteDoc): number[] {
  return doc.status ?? [200];
}

/** The error shape of the family a path belongs to (render-error.ts), by reference. */
function errorResponse(path: string): Record<string, unknown> {
  const name = ERROR_SCHEMA_NAMES[errorDialect(path)];
  return { description: 'an error', content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } };
}

function operation(route: RouteEntry, doc: RouteDoc, { projectId, authRequired, bodyRequired }: { projectId: string; authRequired: boolean; bodyRequired: boolean }): Operation {
  const params = [...route.path.matchAll(/:([A-Za-z_]\w*)|\{\*(\w+)\}/g)].map((m) => m[1] ?? m[2]);
  const parameters = [
    ...params.map((name) => ({ name, in: 'path', required: true, schema: pathParameterSchema(name, projectId) })),
    ...Object.entries(doc.query ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
  ];
  const produced = doc.produces ?? 'application/json';
  const answer = { description: 'done', content: { [produced]: { schema: produced === 'application/json' ? answerSchema(doc) : { type: 'string' } } } };
  const ok = Object.fromEntries(successStatuses(doc).map((status) => [String(status), status === 204 || produced === 'nothing' ? { description: 'done' } : answer]));
  return {
    tags: [doc.tag],
    summary: doc.summary,
    operationId: `${route.method.toLowerCase()}${openApiPath(route.path).replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(\w)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    ...(parameters.length ? { parameters } : {}),
    ...(authRequired && isPublicRoute(route) ? { security: [] } : {}),
    ...(doc.body && { requestBody: { required: bodyRequired, content: { 'application/json': { schema: { $ref: `#/components/schemas/${doc.body}` } } } } }),
    // An empty upload is an empty object.
    ...(doc.rawBody && { requestBody: { required: false, content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } } }),
    responses: { ...ok, default: errorResponse(route.path) },
  };
}

/** A JSON answer is an object; one that names what it created says where (the links read it there). */
function answerSchema(doc: RouteDoc): Record<string, unknown> {
  const first = [...new Set(Object.values(doc.creates?.params ?? {}).map((expr) => expr.split('#/')[1]?.split('/')[0]).filter(Boolean))];
  return first.length ? { type: 'object', required: first } : { type: 'object' };
}

/** What anyone may call when the platform requires credentials: the console's files and asking IAM for a token. */
function isPublicRoute(route: RouteEntry): boolean {
  return isIamPublic(route.method, route.path) || route.path === '/' || route.path.startsWith(CONSOLE_ASSETS);
}

/**
 * The prediction gateways: /v1/infers/{service_id}/… and TF Serving's /v1/models/{name}…,
 * answered by an instance. Errors are the platform's shape, TF Serving's (`{error}`) on its
 * API and the Open Inference Protocol's; with credentials required, a token or the
 * service's app code lets a call through.
 */
function gatewayPaths(authRequired: boolean): Record<string, Record<string, Operation>> {
  const text = { type: 'string', minLength: 1 };
  const id = { name: 'service_id', in: 'path', required: true, schema: text };
  const name = { name: 'name', in: 'path', required: true, schema: text, description: 'the service name' };
  const rest = { name: 'path', in: 'path', required: true, schema: text };
  const error = (refs: string[]) => ({ description: 'an error', content: { 'application/json': { schema: refs.length === 1 ? { $ref: refs[0] } : { anyOf: refs.map(($ref) => ({ $ref })) } } } });
  const platform = '#/components/schemas/Error';
  const tfServing = '#/components/schemas/TfServingError';
  const security = authRequired ? { security: [{ token: [] }, { appCode: [] }] } : {};
  const through = (op: string, summary: string, parameters: unknown[], errors: string[]): Operation => ({
    tags: ['services'],
    summary,
    operationId: op,
    parameters,
    ...security,
    responses: { '200': { description: "the service's answer" }, default: error(errors) },
  });
  return {
    '/v1/infers/{service_id}/': {
      post: { ...through('postInfer', "A prediction from the service's inference code, as its config.json apis say (see <access_address>/openapi.json)", [id], [platform]), requestBody: { content: { 'multipart/form-data': {}, 'application/json': {} } } },
    },
    '/v1/infers/{service_id}/{path}': {
      get: through('getInferPath', "Any other path of the service (TF Serving's /v1/models/…, the Open Inference Protocol's /v2/…, /metrics, /openapi.json)", [id, rest], [platform, tfServing]),
      post: through('postInferPath', 'The same for POSTs (e.g. /v2/models/{name}/infer)', [id, rest], [platform, tfServing]),
    },
    '/v1/models/{name}': { get: through('getTfServingModel', "TF Serving: a service's model version status", [name], [tfServing]) },
    '/v1/models/{name}/metadata': { get: through('getTfServingMetadata', "TF Serving: a service's model signature", [name], [tfServing]) },
    '/v1/models/{name}:predict': { post: through('postTfServingPredict', "TF Serving: predict on a service's model", [name], [tfServing]) },
  };
}
