/**
 * KServe's Open Inference Protocol (V2) on a service, beside TF Serving's API: health,
 * server and model metadata, model readiness and `POST …/infer`, with the service's
 * name as the model name. As TF Serving's API, it runs the model without the package's
 * inference code. Errors are `{"error": "…"}` with the status the protocol gives them.
 */
import { ApiError, methodNotAllowed } from '../../kernel/errors';
import type { InputData } from '../../compute/loaded-model';
import type { Servable, ServableSet } from '../tf_serving/servables';
import type { RestAnswer, TfServingRequest } from '../tf_serving/rest-api';
import { decodeSegment } from '../../kernel/http/path-segment';
import { fromModelOutput, toModelInput, v2Datatype, v2Shape, type V2Tensor } from './v2-tensors';

const V2_PREFIX = '/v2';
const MODEL_ROUTE = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/;

export interface V2Server {
  name: string;
  version: string;
  /** Whether the instance takes requests (false while it drains). */
  ready(): boolean;
}

export function isV2Path(path: string): boolean {
  return path === V2_PREFIX || path.startsWith(`${V2_PREFIX}/`);
}

/** What the server answers for all its models: liveness, readiness, its own metadata. */
const serverMetadata = (server: V2Server): RestAnswer => ({ status: 200, body: { name: server.name, version: server.version, extensions: [] } });
const SERVER_ROUTES = new Map<string, (server: V2Server) => RestAnswer>([
  ['/v2/health/live', () => ({ status: 200, body: { live: true } })],
  ['/v2/health/ready', (server) => ({ status: server.ready() ? 200 : 503, body: { ready: server.ready() } })],
  ['/v2', serverMetadata],
  ['/v2/', serverMetadata],
]);

export async function answerV2(req: TfServingRequest, servables: ServableSet, server: V2Server): Promise<RestAnswer> {
  const { method, path } = req;
  const only = (allowed: string) => {
    if (method !== allowed) throw methodNotAllowed('predict_method_not_allowed', [allowed], `${path} answers ${allowed} only`);
  };
  const serverWide = SERVER_ROUTES.get(path);
  if (serverWide) {
    only('GET');
    return serverWide(server);
  }
  const match = MODEL_ROUTE.exec(path);
  if (!match) throw new ApiError('predict_not_found', `no Open Inference Protocol route at ${method} ${path}`);
  const [, rawName, rawVersion, action] = match;
  only(action === '/infer' ? 'POST' : 'GET');
  const servable = find(servables, decodeSegment(rawName, 'a model name'), rawVersion);
  const name = servables.name;
  if (action === undefined) return { status: 200, body: metadata(name, servables, servable) };
  if (action === '/ready') return { status: server.ready() ? 200 : 503, body: { name, ready: server.ready() } };
  return { status: 200, body: await infer(name, servable, await req.body()) };
}


function find(servables: ServableSet, name: string, version: string | undefined): Servable {
  if (version !== undefined && !/^\d{1,15}$/.test(version)) throw new ApiError('predict_not_found', `model "${name}" has no version "${version}"; versions here: ${servables.versions.join(', ')}`);
  return servables.get(name, version === undefined ? undefined : Number(version));
}

function metadata(name: string, servables: ServableSet, servable: Servable): unknown {
  const spec = (s: { name: string; dtype: string; shape: (number | null)[] | null }) => ({ name: s.name, datatype: v2Datatype(s.dtype), shape: v2Shape(s) });
  return {
    name,
    versions: servables.versions.map(String),
    platform: `tfjs_${servable.model.kind}`,
    inputs: servable.model.inputs.map(spec),
    outputs: servable.model.outputs.map(spec),
  };
}

interface InferRequest {
  id?: unknown;
  parameters?: unknown;
  inputs?: unknown;
  outputs?: unknown;
}

async function infer(name: string, servable: Servable, body: unknown): Promise<unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ApiError('predict_bad_input', 'the request body must be a JSON object with "inputs"');
  const request = body as InferRequest;
  const model = servable.model;
  const inputs = readInputs(request.inputs, model.inputs.map((s) => s.name));
  const data: InputData[] = model.inputs.map((spec) => toModelInput(inputs.get(spec.name)!, spec));
  const wanted = requestedOutputs(request.outputs, model.outputs.map((s) => s.name));
  const values = await model.run(data);
  return {
    model_name: name,
    model_version: String(servable.version),
    ...(typeof request.id === 'string' && { id: request.id }),
    outputs: model.outputs.filter((s) => wanted.includes(s.name)).map((s) => fromModelOutput(s, values[s.name])),
  };
}

function readInputs(inputs: unknown, names: string[]): Map<string, V2Tensor> {
  if (!Array.isArray(inputs) || !inputs.length) throw new ApiError('predict_bad_input', `"inputs" must be a list of tensors {name, shape, datatype, data}; the model takes ${names.join(', ')}`);
  const byName = new Map<string, V2Tensor>();
  for (const [i, t] of inputs.entries()) {
    if (!t || typeof t !== 'object' || typeof (t as V2Tensor).name !== 'string') throw new ApiError('predict_bad_input', `inputs[${i}] must be an object with name, shape, datatype and data`);
    const tensor = t as V2Tensor;
    if (!names.includes(tensor.name)) throw new ApiError('predict_bad_input', `unexpected inference input "${tensor.name}"; the model takes ${names.join(', ')}`);
    if (byName.has(tensor.name)) throw new ApiError('predict_bad_input', `input "${tensor.name}" is given twice`);
    byName.set(tensor.name, tensor);
  }
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length) throw new ApiError('predict_bad_input', `expected ${names.length} inputs but got ${byName.size}: missing ${missing.join(', ')}`);
  return byName;
}

function requestedOutputs(outputs: unknown, names: string[]): string[] {
  if (outputs === undefined) return names;
  if (!Array.isArray(outputs)) throw new ApiError('predict_bad_input', '"outputs" must be a list of {name}');
  const wanted = outputs.map((o) => (o && typeof o === 'object' ? (o as { name?: unknown }).name : undefined));
  const unknown = wanted.filter((n) => typeof n !== 'string' || !names.includes(n));
  if (unknown.length) throw new ApiError('predict_bad_input', `unexpected inference output ${unknown.map((n) => JSON.stringify(n)).join(', ')}; the model has ${names.join(', ')}`);
  return wanted as string[];
}
