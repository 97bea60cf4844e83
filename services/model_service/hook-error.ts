import { ApiError } from '../../kernel/errors';

/** Inference code that cannot be used; the message is what a deployment shows in its events. */
export class HookError extends ApiError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super('invalid_package', message);
  }
}
