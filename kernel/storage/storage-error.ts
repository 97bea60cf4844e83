import { DISK_FULL_ERRNOS, PlatformError } from '../errors';

/**
 * Failures of the object store, sorted into the few reasons the platform acts on:
 * a missing object is a user mistake, an unreachable store is worth a retry later.
 */
export type StorageFailure = 'not_found' | 'exists' | 'not_empty' | 'unavailable' | 'full' | 'denied' | 'too_large' | 'unsafe_key' | 'other';

export class StorageError extends PlatformError {
  constructor(readonly reason: StorageFailure, message: string) {
    super(message);
  }
}

const NOT_FOUND = new Set(['NoSuchKey', 'NoSuchBucket', 'NotFound', 'NoSuchUpload']);
const EXISTS = new Set(['BucketAlreadyOwnedByYou', 'BucketAlreadyExists']);
const DENIED = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden']);
/** Our embedded store's code, MinIO's, and the status both answer with (507 Insufficient Storage). */
const FULL = new Set(['InsufficientStorage', 'XMinioStorageFull']);
const INSUFFICIENT_STORAGE = 507;
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'TimeoutError']);

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  errors?: SdkLikeError[];
}

export function toStorageError(err: unknown, what: string): StorageError {
  if (err instanceof StorageError) return err;
  const e = (err ?? {}) as SdkLikeError;
  const name = e.name ?? '';
  const code = e.code ?? e.errors?.[0]?.code ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (NOT_FOUND.has(name) || (status === 404 && !name.startsWith('Ec'))) {
    return new StorageError('not_found', `cannot ${what}: it does not exist`);
  }
  if (name === 'BucketNotEmpty') return new StorageError('not_empty', `cannot ${what}: it is not empty`);
  if (EXISTS.has(name)) return new StorageError('exists', `cannot ${what}: it already exists`);
  if (DENIED.has(name) || status === 403) {
    return new StorageError('denied', `cannot ${what}: the object store refused the credentials (${name || status})`);
  }
  // Before the 5xx test below: a full store is not worth retrying until someone frees space.
  if (FULL.has(name) || status === INSUFFICIENT_STORAGE) {
    return new StorageError('full', `cannot ${what}: the object store is out of space (${name || status})`);
  }
  if (DISK_FULL_ERRNOS.includes(code)) {
    return new StorageError('full', `cannot ${what}: the platform's data directory has no space left (${code})`);
  }
  if (UNREACHABLE.has(code) || UNREACHABLE.has(name) || (status !== undefined && status >= 500)) {
    return new StorageError('unavailable', `cannot ${what}: the object store is unavailable (${code || name || status})`);
  }
  return new StorageError('other', `cannot ${what}: ${e.message ?? String(err)}`);
}
