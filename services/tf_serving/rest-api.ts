/**
 * TF Serving's REST API on a service: `GET /v1/models/<name>[/versions/<n>]`,
 * `GET …/metadata` and `POST …:predict`, where `<name>` is the service's name. The
 * model runs directly, without the package's inference code, as TF Serving runs it.
 */
import { ApiError, methodNotAllowed } from '../../kernel/errors';
import type { ServableSet, Servable } from './servables';
import { parsePredictBody, predictResponseBody } from './rest-format';
import { signatureDefs, signatureModel } from './signature';
import { runExamples, type ExampleMethod } from './example-signatures';
import { decodeExample, feedExamples, jsonExamples } from './examples';
import type { InputValue, ModelSignature } from '../../compute/loaded-model';

import { TF_SERVING_PREFIX } from '../../kernel/http/api-names';
import { decodeSegment } from '../../kernel/http/path-segment';

const ROUTE = /^\/v1\/models\/([^/:]+)(?:\/versions\/(\d{1,15})|\/labels\/([^/:]+))?(\/metadata|:[a-zA-Z]+)?$/;

export interface TfServingRequest {
  method: string;
  path: string;
  /** Reads the JSON body (whatever its Content-Type: TF Serving's own clients send it as they like). */
  body(): Promise<unknown>;
}

export interface RestAnswer {
  status: number;
  body: unknown;
}

interface Route {
  name: string;
  version?: number;
  action: 'status' | 'metadata' | 'predict' | ExampleMethod;
}

export function isTfServingPath(path: string): boolean {
  return path.startsWith(TF_SERVING_PREFIX);
}

/** The model name a TF Serving path names (the service name), if it names one. */
export function tfServingName(path: string): string | undefined {
  const match = ROUTE.exec(path);
  return match ? decodeSegment(match[1], 'a model name') : undefined;
}

export async function answerTfServing(req: TfServingRequest, servables: ServableSet): Promise<RestAnswer> {
  const route = parseRoute(req.method, req.path);
  const servable = servables.get(route.name, route.version);
  if (route.action === 'status') return { status: 200, body: versionStatus(servables, route) };
  if (route.action === 'metadata') return { status: 200, body: metadata(route.name, servable) };
  const body = await req.body();
  if (route.action !== 'predict') {
    const answer = await runExamples(servable.model, (body as { signature_name?: unknown } | null)?.signature_name, route.action, jsonExamples(body));
    return { status: 200, body: { results: answer.results } };
  }
  const { model, signature } = await signatureModel(servable.model, (body as { signature_name?: unknown } | null)?.signature_name);
  if (signature?.examples) return { status: 200, body: predictResponseBody('row', await model.predict(serializedExamples(body, signature.examples))) };
  const parsed = parsePredictBody(body, model.inputs);
  const outputs = await model.predict(parsed.inputs);
  return { status: 200, body: predictResponseBody(parsed.format, outputs) };
}

function parseRoute(method: string, path: string): Route {
  const match = ROUTE.exec(path);
  const malformed = () => new ApiError('predict_not_found', `Malformed request: ${method} ${path}`);
  if (!match) throw malformed();
  const [, rawName, version, label, suffix] = match;
  if (label !== undefined) throw new ApiError('predict_not_found', `no version labels are defined here (asked for "${label}"); use /versions/<n>`);
  const name = decodeSegment(rawName, 'a model name');
  const at = version === undefined ? undefined : Number(version);
  if (suffix === undefined && method === 'GET') return { name, version: at, action: 'status' };
  if (suffix === '/metadata' && method === 'GET') return { name, version: at, action: 'metadata' };
  if (suffix === ':predict' && method === 'POST') return { name, version: at, action: 'predict' };
  if ((suffix === ':classify' || suffix === ':regress') && method === 'POST') return { name, version: at, action: suffix.slice(1) as ExampleMethod };
  // A path TF Serving answers, asked with another method.
  const allowed = suffix === ':predict' || suffix === ':classify' || suffix === ':regress' ? ['POST'] : suffix === undefined || suffix === '/metadata' ? ['GET'] : undefined;
  if (allowed) throw methodNotAllowed('predict_method_not_allowed', allowed, `Malformed request: ${method} ${path}`);
  throw malformed();
}

function versionStatus(servables: ServableSet, route: Route): unknown {
  const versions = route.version === undefined ? servables.versions : [route.version];
  return {
    model_version_status: versions
      .sort((a, b) => b - a)
      .map((v) => ({ version: String(v), state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } })),
  };
}

function metadata(name: string, servable: Servable): unknown {
  return {
    model_spec: { name, signature_name: '', version: String(servable.version) },
    metadata: { signature_def: { signature_def: signatureDefs(servable.model) } },
  };
}


/** `:predict` on a signature that takes serialized tf.Example: each instance is {"b64": <serialized proto>}. */
function serializedExamples(body: unknown, spec: NonNullable<ModelSignature['examples']>): Record<string, InputValue> {
  const b = body as { instances?: unknown; inputs?: unknown } | null;
  const columns = b?.inputs as Record<string, unknown> | unknown[] | undefined;
  const list = b?.instances ?? (Array.isArray(columns) ? columns : columns?.[spec.input]);
  if (!Array.isArray(list) || !list.length) throw new ApiError('predict_bad_input', `input "${spec.input}" takes serialized tf.Example protos: send "instances": [{"b64": "<base64 of the proto>"}, …]`);
  return feedExamples(spec, list.map((item, i) => {
    const b64 = (item as { b64?: unknown } | null)?.b64;
    if (typeof b64 !== 'string') throw new ApiError('predict_bad_input', `instance ${i} is not {"b64": "<base64 of a serialized tf.Example>"}`);
    return decodeExample(Buffer.from(b64, 'base64'));
  }));
}
