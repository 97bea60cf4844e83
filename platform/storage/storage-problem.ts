import { ApiError } from '../errors';
import { StorageError } from './storage-error';

/** What a user is told when the object store fails a request of theirs. */
export function storageProblem(err: StorageError): ApiError {
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
