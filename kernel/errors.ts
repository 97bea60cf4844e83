/**
 * The errors of the repository: one base class every error class extends, so each prints
 * as its own class (`ConfigError: …`, not `Error: …`) in logs and stacks; and the one error
 * users are answered with, `ApiError`. Call sites name what went wrong (a key of
 * ERROR_CODES); the HTTP status and the ModelArts-style code come from this table, and the
 * body is rendered in exactly one place (`renderError`, http/render-error.ts).
 */

/** The base of every error class: `name` is the subclass's own, so logs say which error it was. */
export class PlatformError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

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
  predict_method_not_allowed: { code: 'MR.0114', status: 405 },
  // ModelArts' Python inference runtime: a request with no input; a hook that raised (KeyError
  // and TypeError count as the request's fault, 400; anything else 500).
  predict_no_input: { code: 'MR.0101', status: 400 },
  predict_recognition_failed_input: { code: 'MR.0105', status: 400 },
  predict_recognition_failed: { code: 'MR.0105', status: 500 },
} as const;

export type ErrorKind = keyof typeof ERROR_CODES;

/** One problem in a request or package, located by its JSON path. */
export interface Problem {
  path: string;
  message: string;
}

/** The error a user is answered with: its kind is a row of ERROR_CODES, which gives the status. */
export class ApiError extends PlatformError {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly problems?: Problem[],
    readonly extra?: Record<string, unknown>,
    /** Headers the answer carries (Allow on a 405). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_CODES[this.kind].status;
  }
}

/** A path asked with a method it does not answer: 405, naming the methods it answers in Allow. */
export function methodNotAllowed(kind: 'method_not_allowed' | 'predict_method_not_allowed', allowed: readonly string[], message: string): ApiError {
  return new ApiError(kind, message, undefined, undefined, { Allow: allowed.join(', ') });
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
