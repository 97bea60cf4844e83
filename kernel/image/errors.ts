import { PlatformError } from '../errors';

export type ImageFormat = 'png' | 'jpeg' | 'bmp';

/** A file that claims a format but breaks its rules; `detail` says where. */
export class CorruptImageError extends PlatformError {
  constructor(
    readonly format: ImageFormat,
    readonly detail: string,
  ) {
    super(`${format.toUpperCase()}: ${detail}`);
  }
}
