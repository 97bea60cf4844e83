/**
 * The one place where anything thrown becomes an answer: which API family's shape a
 * request gets (`errorDialect`), what an error means for a user (`toApiError`: storage
 * failures, bad obs:// URLs and full disks are mapped here, not at call sites), and the
 * status and body (`renderError`), for Koa (errors-middleware.ts), for raw `http`
 * servers (`sendError`: the gateway, service instances, service ports) and for gRPC.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ApiError, diskFullError, ERROR_CODES, type ErrorKind, type Problem } from '../errors';
import { ObsUrlError } from '../storage/obs-url';
import { StorageError } from '../storage/storage-error';
import { TF_SERVING_PREFIX } from './api-names';
import { sendJson } from './send-json';

/**
 * The error shapes of the API families the platform speaks. Ours and ModelArts' v1
 * models/services share `{error_code, error_msg}`; ModelArts' v2 adds `error_solution`;
 * its v1 training API writes `{is_success: false, error_code, error_message}`; IAM's
 * Keystone calls write `{error: {code, message, title}}`; TF Serving's REST API writes
 * `{error: "…"}`; ModelArts' Python inference runtime (customize_service.py) writes
 * `{erno, msg, words_result}`.
 */
export type ErrorDialect = 'platform' | 'modelarts-v2' | 'modelarts-v1-training' | 'iam' | 'tf-serving' | 'modelarts-runtime';

/** Who answers: the control plane (its API and gateways), or a service (its port, its instances). */
export type Surface = 'control-plane' | 'service';

/** Which API family a path belongs to, for the shape of its errors. */
export function errorDialect(path: string, surface: Surface = 'control-plane'): ErrorDialect {
  if (path.startsWith(TF_SERVING_PREFIX)) return 'tf-serving';
  if (surface === 'service') return 'platform';
  if (path.startsWith('/v3/')) return 'iam';
  if (path.startsWith('/v2/')) return 'modelarts-v2';
  if (/^\/v1\/[^/]+\/training-jobs(\/|$)/.test(path)) return 'modelarts-v1-training';
  return 'platform';
}

/**
 * Errors that mean the request was not answered and may be sent again as it is: an
 * instance marks them with RETRYABLE_HEADER, and the gateway sends them once more.
 */
const RETRYABLE: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['predict_worker_lost']);
export const RETRYABLE_HEADER = 'x-modelarts-retryable';

/** What a failure of the object store means for the user whose request it failed. */
function storageProblem(err: StorageError): ApiError {
  switch (err.reason) {
    case 'not_found':
      return new ApiError('source_not_found', err.message);
    case 'unavailable':
      return new ApiError('storage_unavailable', `${err.message}; try again when the object store is back`);
    case 'full':
      return new ApiError('insufficient_storage', `${err.message}; free some space, then try again`);
    case 'denied':
      return new ApiError('storage_unavailable', `${err.message}; check OBS_ACCESS_KEY_ID and OBS_SECRET_ACCESS_KEY`);
    default:
      return new ApiError('invalid_request', err.message);
  }
}

/** Anything thrown as the error a user is told, or undefined for an unknown error (a 500). */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof StorageError) return storageProblem(err);
  if (err instanceof ObsUrlError) return new ApiError('invalid_request', err.message);
  return diskFullError(err);
}

export interface ErrorBody {
  error_code: string;
  error_msg: string;
  errors?: Problem[];
  [extra: string]: unknown;
}

export interface RenderedError {
  status: number;
  body: Record<string, unknown>;
  /** Headers the answer carries besides its body (Allow on a 405, the runtime's error detail). */
  headers: Record<string, string>;
  /** False for errors worth a line in the platform log (unknown ones; a full disk). */
  expected: boolean;
  retryable: boolean;
}

/** The platform's own shape: `{error_code, error_msg, errors?}`; unknown errors say nothing of internals. */
function platformBody(err: unknown): { status: number; body: ErrorBody; kind: ErrorKind; expected: boolean; headers?: Record<string, string> } {
  const api = toApiError(err);
  const kind = api?.kind ?? 'internal';
  const { code, status } = ERROR_CODES[kind];
  if (!api) return { status, kind, expected: false, body: { error_code: code, error_msg: 'Internal error; the platform log has the details.' } };
  const body: ErrorBody = { ...api.extra, error_code: code, error_msg: api.message };
  if (api.problems?.length) body.errors = api.problems;
  // The platform's own disk full is worth a line in its log as well: the operator has to free space.
  const ownDiskFull = !(err instanceof ApiError) && !(err instanceof StorageError) && kind === 'insufficient_storage';
  return { status, body, kind, expected: !ownDiskFull, headers: api.headers };
}

const SOLUTIONS: Partial<Record<ErrorKind, string>> = {
  unauthorized: 'Send X-Auth-Token (from POST /v3/auth/tokens) or sign the request with AK/SK (SDK-HMAC-SHA256).',
  token_expired: 'Get a new token from POST /v3/auth/tokens, or check the clock of the signing machine (X-Sdk-Date).',
  token_invalid: 'Check the token or the AK/SK the request is signed with.',
  wrong_project: 'Use the project id that GET /v3/projects answers.',
  not_found: 'Check the id; list the resources to find it.',
  route_not_found: 'See docs/modelarts-api.md for the operations this platform answers.',
  duplicate: 'Choose another name.',
  wrong_state: 'Wait until the resource is in a state that allows the operation.',
  in_use: 'Delete or change what uses it first.',
  storage_unavailable: 'Check that the object store is up, then try again.',
  internal: 'Try again; the platform log has the details.',
};
const DEFAULT_SOLUTION = 'Correct the request as error_msg says and send it again.';

/** Anything thrown as a status and the body of the given dialect. */
export function renderError(err: unknown, dialect: ErrorDialect = 'platform'): RenderedError {
  const { status, body, kind, expected, headers } = platformBody(err);
  const rendered = { status, expected, retryable: RETRYABLE.has(kind), headers: headers ?? {} };
  switch (dialect) {
    case 'platform':
      return { ...rendered, body };
    case 'modelarts-v2':
      return { ...rendered, body: { ...body, error_solution: SOLUTIONS[kind] ?? DEFAULT_SOLUTION } };
    case 'modelarts-v1-training': {
      const { error_code, error_msg, ...rest } = body;
      return { ...rendered, body: { is_success: false, error_code, error_message: error_msg, ...rest } };
    }
    case 'iam':
      return { ...rendered, body: { error: { code: status, message: body.error_msg, title: STATUS_CODES[status] ?? 'Error' } } };
    case 'tf-serving':
      return { ...rendered, body: { error: body.error_msg } };
    case 'modelarts-runtime': {
      const shaped = runtimeBody(kind, body);
      return { ...rendered, body: shaped.body, headers: { ...rendered.headers, ...shaped.headers } };
    }
  }
}

/**
 * The runtime's fixed messages: what its Flask app answers, word for word. A hook that raised
 * gets only "Recognition failed" in the body, as there; what it raised goes in X-ModelArts-Error.
 */
const RUNTIME_MESSAGES: Partial<Record<ErrorKind, string>> = {
  predict_no_input: 'The input parameter is invalid',
  predict_recognition_failed: 'Recognition failed',
  predict_recognition_failed_input: 'Recognition failed',
};
const ERROR_DETAIL_HEADER = 'x-modelarts-error';

function runtimeBody(kind: ErrorKind, body: ErrorBody): { body: Record<string, unknown>; headers?: Record<string, string> } {
  if (!body.error_code.startsWith('MR.')) return { body };
  const fixed = RUNTIME_MESSAGES[kind];
  const shaped = { erno: body.error_code, msg: fixed ?? body.error_msg, words_result: {} };
  if (!fixed || fixed === body.error_msg) return { body: shaped };
  // A header carries Latin-1 only, and a short line.
  return { body: shaped, headers: { [ERROR_DETAIL_HEADER]: body.error_msg.replace(/[^\x20-\x7e]/g, '?').slice(0, 512) } };
}

/** The platform's own shape (`renderError` in the platform dialect). */
export function errorResponse(err: unknown): RenderedError & { body: ErrorBody } {
  return renderError(err, 'platform') as RenderedError & { body: ErrorBody };
}

/** TF Serving's REST API answers errors as `{"error": "…"}`, with the same statuses. */
export function tfServingErrorResponse(err: unknown): RenderedError {
  return renderError(err, 'tf-serving');
}

/** gRPC status codes for the HTTP statuses of ERROR_CODES; anything else is INTERNAL. */
const GRPC_CODES: Record<number, GrpcStatus> = {
  400: GrpcStatus.INVALID_ARGUMENT,
  401: GrpcStatus.UNAUTHENTICATED,
  404: GrpcStatus.NOT_FOUND,
  408: GrpcStatus.DEADLINE_EXCEEDED,
  413: GrpcStatus.RESOURCE_EXHAUSTED,
  415: GrpcStatus.INVALID_ARGUMENT,
  503: GrpcStatus.UNAVAILABLE,
  504: GrpcStatus.DEADLINE_EXCEEDED,
  507: GrpcStatus.RESOURCE_EXHAUSTED,
};

/** An error as a gRPC status: the code that matches its HTTP status, and its message. */
export function grpcErrorResponse(err: unknown): { code: number; details: string; expected: boolean } {
  const { status, body, expected } = platformBody(err);
  return { code: GRPC_CODES[status] ?? GrpcStatus.INTERNAL, details: body.error_msg, expected };
}

/**
 * An error answered by a raw `http` server (not Koa). A response whose head is sent can
 * only be cut; a request whose body was not read to its end closes its connection.
 */
export function sendError(res: ServerResponse, err: unknown, dialect: ErrorDialect = 'platform'): RenderedError | undefined {
  if (res.headersSent) {
    res.destroy();
    return undefined;
  }
  const rendered = renderError(err, dialect);
  if (rendered.retryable) res.setHeader(RETRYABLE_HEADER, '1');
  for (const [name, value] of Object.entries(rendered.headers)) res.setHeader(name, value);
  if (!res.req.complete) res.setHeader('Connection', 'close');
  sendJson(res, rendered.status, rendered.body);
  return rendered;
}
