import { ApiError } from '../../kernel/errors';

/**
 * What inference code throws when the request itself is wrong (an image of the wrong
 * size, a missing field): the client gets a 400 with this message, not a 500.
 */
export class InputError extends ApiError {
  constructor(message: string) {
    super('predict_bad_input', message);
  }
}
