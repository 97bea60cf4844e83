import { ApiError } from '../../kernel/errors';

/**
 * A model file the platform cannot serve, found at import: a 400 whose message names
 * the file and what in it (an op, a layer, a signature) stands in the way.
 */
export class ConversionError extends ApiError {
  constructor(message: string) {
    super('invalid_package', message);
  }
}
