/**
 * The one error type of the platform. Call sites name what went wrong (a key of
 * ERROR_CODES); the HTTP status and the ModelArts-style code come from this table,
 * and the body is rendered in exactly one place (`errorResponse`).
 */
export const ERROR_CODES = {
  invalid_request: { code: 'ModelArts.0101', status: 400 },
  invalid_json: { code: 'ModelArts.0102', status: 400 },
  payload_too_large: { code: 'ModelArts.0103', status: 413 },
  unsupported_media_type: { code: 'ModelArts.0104', status: 415 },
  source_not_found: { code: 'ModelArts.0105', status: 400 },
  invalid_package: { code: 'ModelArts.0106', status: 400 },
  length_required: { code: 'ModelArts.0107', status: 411 },
  // 401s as ModelArts writes them: no token, an expired one, one that is not valid.
  unauthorized: { code: 'ModelArts.0201', status: 401 },
  token_expired: { code: 'ModelArts.0202', status: 401 },
  token_invalid: { code: 'ModelArts.0203', status: 401 },
  read_only: { code: 'ModelArts.0205', status: 403 },
  wrong_project: { code: 'ModelArts.0212', status: 403 },
  not_found: { code: 'ModelArts.0301', status: 404 },
  route_not_found: { code: 'ModelArts.0302', status: 404 },
  method_not_allowed: { code: 'ModelArts.0303', status: 405 },
  duplicate: { code: 'ModelArts.0401', status: 409 },
  wrong_state: { code: 'ModelArts.0402', status: 409 },
  in_use: { code: 'ModelArts.0403', status: 409 },
  storage_unavailable: { code: 'ModelArts.0501', status: 503 },
  service_unavailable: { code: 'ModelArts.0502', status: 503 },
  upstream_failed: { code: 'ModelArts.0503', status: 502 },
  insufficient_storage: { code: 'ModelArts.0504', status: 507 },
  internal: { code: 'ModelArts.0500', status: 500 },
  // Prediction errors (answered by service instances), in the MR.01xx family.
  predict_bad_input: { code: 'MR.0105', status: 400 },
  predict_unsupported_media_type: { code: 'MR.0101', status: 415 },
  predict_too_large: { code: 'MR.0102', status: 413 },
  predict_hook_failed: { code: 'MR.0106', status: 500 },
  predict_timeout: { code: 'MR.0107', status: 504 },
  predict_unavailable: { code: 'MR.0108', status: 503 },
  predict_unauthorized: { code: 'MR.0109', status: 401 },
  predict_not_found: { code: 'MR.0110', status: 404 },
  predict_request_timeout: { code: 'MR.0111', status: 408 },
  predict_headers_too_large: { code: 'MR.0112', status: 431 },
  predict_worker_lost: { code: 'MR.0113', status: 503 },
} as const;

export type ErrorKind = keyof typeof ERROR_CODES;

/**
 * Errors that mean the request was not answered and may be sent again as it is: an
 * instance marks them with RETRYABLE_HEADER, and the gateway sends them once more.
 */
const RETRYABLE: ReadonlySet<ErrorKind> = new Set<ErrorKind>(['predict_worker_lost']);
export const RETRYABLE_HEADER = 'x-modelarts-retryable';

/** One problem in a request or package, located by its JSON path. */
export interface Problem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly problems?: Problem[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_CODES[this.kind].status;
  }
}

export interface ErrorBody {
  error_code: string;
  error_msg: string;
  errors?: Problem[];
  [extra: string]: unknown;
}

/**
 * Turns anything thrown into a status and a JSON body. Unknown errors become a 500
 * that says nothing about internals; the caller logs them.
 */
export function errorResponse(err: unknown): { status: number; body: ErrorBody; expected: boolean; retryable?: boolean } {
  const full = diskFullError(err);
  // Worth a line in the platform log as well: the operator has to free space.
  if (full) return { ...errorResponse(full), expected: false };
  if (err instanceof ApiError) {
    const { code, status } = ERROR_CODES[err.kind];
    const body: ErrorBody = { ...err.extra, error_code: code, error_msg: err.message };
    if (err.problems?.length) body.errors = err.problems;
    return { status, body, expected: true, retryable: RETRYABLE.has(err.kind) };
  }
  const { code, status } = ERROR_CODES.internal;
  return {
    status,
    body: { error_code: code, error_msg: 'Internal error; the platform log has the details.' },
    expected: false,
  };
}

/**
 * The error shapes of the API families the platform speaks. Ours and ModelArts' v1
 * models/services share `{error_code, error_msg}`; ModelArts' v2 adds `error_solution`;
 * its v1 training API writes `{is_success: false, error_code, error_message}`; IAM's
 * Keystone calls write `{error: {code, message, title}}`. Which shape a request gets is
 * decided by `errorDialect` (http/error-dialect.ts), the body here.
 */
export type ErrorDialect = 'platform' | 'modelarts-v2' | 'modelarts-v1-training' | 'iam';

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

const HTTP_TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error' };

/** Anything thrown as a status and the body of the given dialect. */
export function renderError(err: unknown, dialect: ErrorDialect): { status: number; body: Record<string, unknown>; expected: boolean } {
  const rendered = errorResponse(err);
  const { status, body } = rendered;
  switch (dialect) {
    case 'platform':
      return rendered;
    case 'modelarts-v2': {
      const kind = err instanceof ApiError ? err.kind : 'internal';
      return { ...rendered, body: { ...body, error_solution: SOLUTIONS[kind] ?? DEFAULT_SOLUTION } };
    }
    case 'modelarts-v1-training': {
      const { error_code, error_msg, ...rest } = body;
      return { ...rendered, body: { is_success: false, error_code, error_message: error_msg, ...rest } };
    }
    case 'iam':
      return { ...rendered, body: { error: { code: status, message: body.error_msg, title: HTTP_TITLES[status] ?? 'Error' } } };
  }
}

/** TF Serving's REST API answers errors as `{"error": "…"}`, with the same statuses. */
export function tfServingErrorResponse(err: unknown): { status: number; body: { error: string }; expected: boolean } {
  const { status, body, expected } = errorResponse(err);
  return { status, body: { error: body.error_msg }, expected };
}

/** gRPC status codes (grpc/status.h) for the HTTP statuses of ERROR_CODES; anything else is INTERNAL (13). */
const GRPC_CODES: Record<number, number> = { 400: 3, 401: 16, 404: 5, 408: 4, 413: 8, 415: 3, 503: 14, 504: 4, 507: 8 };

/** An error as a gRPC status: the code that matches its HTTP status, and its message. */
export function grpcErrorResponse(err: unknown): { code: number; details: string; expected: boolean } {
  const { status, body, expected } = errorResponse(err);
  return { code: GRPC_CODES[status] ?? 13, details: body.error_msg, expected };
}

export function notFound(what: string, id: string): ApiError {
  return new ApiError('not_found', `${what} ${JSON.stringify(id)} does not exist.`);
}

/** The errnos of a file system (or a quota) with no room left. */
export const DISK_FULL_ERRNOS: readonly string[] = ['ENOSPC', 'EDQUOT'];

/** A write to the platform's data directory that failed for want of space, as the error users get. */
export function diskFullError(err: unknown): ApiError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (!(err instanceof Error) || !code || !DISK_FULL_ERRNOS.includes(code)) return undefined;
  const what = code === 'EDQUOT' ? 'is over its disk quota' : 'has no space left';
  return new ApiError('insufficient_storage', `the platform's data directory ${what} (${code}); free some space (delete old jobs, models or objects) and try again`);
}
