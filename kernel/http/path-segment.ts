import { ApiError } from '../errors';

/**
 * One percent-encoded segment of a prediction path (a service id, a model name), decoded;
 * a segment that does not decode names nothing, so it is a 404 naming `what` it should be.
 */
export function decodeSegment(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError('predict_not_found', `${JSON.stringify(segment)} is not ${what}`);
  }
}
