/**
 * Decoding uploaded images for inference code. Uploads are untrusted: the format comes
 * from the magic bytes, the declared size is checked against a limit before any pixel
 * is decoded, and anything malformed becomes a 400 that names the file, never a crash.
 */
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { ApiError } from '../errors';
import { decodeBmp, readBmpHeader } from './bmp';
import { CorruptImageError, readHeader, type ImageHeader } from './sniff';
import { decodeGrayPng } from './png-gray';

/** The most pixels an uploaded image may declare (about 6300x6300). */
export const MAX_IMAGE_PIXELS = 40e6;

/** jpeg-js' own cap on its working memory, a second line behind MAX_IMAGE_PIXELS. */
const JPEG_MAX_MEMORY_MB = 1024;

export type Channels = 1 | 3;

export interface DecodedImage {
  width: number;
  height: number;
  channels: Channels;
  /** Row-major, top row first, `channels` bytes a pixel. */
  data: Uint8Array;
}

export interface DecodeOptions {
  /** 1: grayscale (ITU-R 601 luma); 3: RGB. Alpha is composited on black either way. */
  channels?: Channels;
  /** The upload's file name, for error messages only. */
  name?: string;
  maxPixels?: number;
}

export function decodeImage(bytes: ArrayBufferView | ArrayBuffer, options: DecodeOptions = {}): DecodedImage {
  const channels = options.channels ?? 3;
  if (channels !== 1 && channels !== 3) throw new TypeError(`decodeImage: channels must be 1 or 3, not ${String(channels)}`);
  const what = options.name === undefined ? 'the file' : `the file ${JSON.stringify(options.name)}`;
  const input = asBytes(bytes, what);
  const header = guard(what, () => readHeader(input));
  if (!header) throw notAnImage(what);
  if (header.width < 1 || header.height < 1) throw notAnImage(what, `its header declares ${header.width}x${header.height} pixels`);
  const limit = options.maxPixels ?? MAX_IMAGE_PIXELS;
  if (header.width * header.height > limit) {
    throw new ApiError(
      'predict_too_large',
      `${what} is a ${header.width}x${header.height} image; at most ${limit} pixels are accepted`,
    );
  }
  const gray = header.format === 'png' ? guard(what, () => decodeGrayPng(input), header.format) : undefined;
  if (gray) return { width: header.width, height: header.height, channels, data: channels === 1 ? gray : grayToRgb(gray) };
  const rgba = guard(what, () => decodeRgba(input, header, limit), header.format);
  return { width: header.width, height: header.height, channels, data: fromRgba(rgba, channels) };
}

function grayToRgb(gray: Uint8Array): Uint8Array {
  const out = new Uint8Array(gray.length * 3);
  for (let i = 0; i < gray.length; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = gray[i];
  return out;
}

function decodeRgba(input: Uint8Array, header: ImageHeader, limit: number): Uint8Array {
  const buffer = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let decoded: { width: number; height: number; data: Uint8Array };
  switch (header.format) {
    case 'png':
      decoded = PNG.sync.read(buffer);
      break;
    case 'jpeg':
      requireJpegEnd(input);
      decoded = jpeg.decode(buffer, {
        useTArray: true,
        formatAsRGBA: true,
        tolerantDecoding: false,
        maxResolutionInMP: limit / 1e6,
        maxMemoryUsageInMB: JPEG_MAX_MEMORY_MB,
      });
      break;
    case 'bmp':
      decoded = { width: header.width, height: header.height, data: decodeBmp(input, readBmpHeader(input)) };
      break;
  }
  if (decoded.width !== header.width || decoded.height !== header.height || decoded.data.length !== header.width * header.height * 4) {
    throw new CorruptImageError(header.format, 'the decoded size differs from the header');
  }
  return decoded.data;
}

/**
 * jpeg-js pads a cut-off scan with grey instead of failing; a file without an end
 * marker after its scan is treated as truncated. Bytes after the marker are allowed.
 */
function requireJpegEnd(input: Uint8Array): void {
  for (let i = input.length - 2; i >= 2; i--) {
    if (input[i] === 0xff && input[i + 1] === 0xd9) return;
  }
  throw new CorruptImageError('jpeg', 'the file has no end marker: it is truncated');
}

/** RGBA → gray or RGB, alpha composited on black, rounded to the nearest byte. */
function fromRgba(rgba: Uint8Array, channels: Channels): Uint8Array {
  const pixels = rgba.length / 4;
  const out = new Uint8Array(pixels * channels);
  for (let i = 0; i < pixels; i++) {
    const a = rgba[i * 4 + 3];
    const k = a / 255;
    const r = a === 255 ? rgba[i * 4] : Math.round(rgba[i * 4] * k);
    const g = a === 255 ? rgba[i * 4 + 1] : Math.round(rgba[i * 4 + 1] * k);
    const b = a === 255 ? rgba[i * 4 + 2] : Math.round(rgba[i * 4 + 2] * k);
    if (channels === 1) {
      out[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    } else {
      out[i * 3] = r;
      out[i * 3 + 1] = g;
      out[i * 3 + 2] = b;
    }
  }
  return out;
}

function asBytes(bytes: unknown, what: string): Uint8Array {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new ApiError('predict_bad_input', `${what} is not a PNG, JPEG or BMP image: no file content was received`);
}

/** Runs a parser step; whatever it throws becomes the one "not an image" answer. */
function guard<T>(what: string, step: () => T, format?: ImageHeader['format']): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof CorruptImageError) throw notAnImage(what, `it starts like a ${err.format.toUpperCase()} but ${err.detail}`);
    const reason = plainReason(err instanceof Error ? err.message : String(err));
    throw notAnImage(what, `${format ? `it starts like a ${format.toUpperCase()} but ` : 'it '}cannot be decoded (${reason})`);
  }
}

/** pngjs reports a cut-off file in terms of its stream reader. */
function plainReason(message: string): string {
  return /read requests wait/.test(message) ? 'the file is truncated' : message;
}

function notAnImage(what: string, detail?: string): ApiError {
  return new ApiError('predict_bad_input', `${what} is not a PNG, JPEG or BMP image${detail ? `: ${detail}` : ''}`);
}
