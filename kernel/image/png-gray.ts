/**
 * A direct decoder for the commonest upload of digit and document models: an 8-bit
 * grayscale PNG without interlacing or transparency. It inflates the image data and
 * undoes the row filters straight into one byte a pixel, where the general decoder
 * (pngjs) expands every pixel to RGBA first and the caller folds it back to gray.
 * Anything else is left to the general decoder (`undefined`). The zlib stream's own
 * checksum guards the pixels; chunk CRCs are not recomputed.
 */
import zlib from 'node:zlib';
import { CorruptImageError } from './errors';

const SIGNATURE_BYTES = 8;
const GRAY = 0;

/** The gray bytes (row-major, top row first), or undefined when the file is not a plain 8-bit gray PNG. */
export function decodeGrayPng(bytes: Uint8Array): Uint8Array | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = SIGNATURE_BYTES;
  let width = 0;
  let height = 0;
  const data: Uint8Array[] = [];
  while (at + 8 <= bytes.length) {
    const length = view.getUint32(at);
    const type = view.getUint32(at + 4);
    const start = at + 8;
    if (start + length + 4 > bytes.length) throw new CorruptImageError('png', 'a chunk runs past the end of the file');
    if (type === IHDR) {
      width = view.getUint32(start);
      height = view.getUint32(start + 4);
      // bit depth 8, gray, deflate, standard filters, no interlace
      if (bytes[start + 8] !== 8 || bytes[start + 9] !== GRAY || bytes[start + 12] !== 0) return undefined;
    } else if (type === TRNS) {
      return undefined;
    } else if (type === IDAT) {
      data.push(bytes.subarray(start, start + length));
    } else if (type === IEND) {
      break;
    }
    at = start + length + 4;
  }
  if (!width || !height || !data.length) throw new CorruptImageError('png', 'the file has no image data');
  return unfilter(inflate(data), width, height);
}

const chunkType = (name: string) => name.split('').reduce((v, c) => (v << 8) | c.charCodeAt(0), 0) >>> 0;
const IHDR = chunkType('IHDR');
const IDAT = chunkType('IDAT');
const IEND = chunkType('IEND');
const TRNS = chunkType('tRNS');

function inflate(parts: Uint8Array[]): Uint8Array {
  const input = parts.length === 1 ? parts[0] : Buffer.concat(parts);
  try {
    return zlib.inflateSync(input);
  } catch (err) {
    throw new CorruptImageError('png', `the image data cannot be inflated (${(err as Error).message})`);
  }
}

/** Rows of one filter byte and `width` pixels → `width * height` pixels (PNG's filters with 1 byte a pixel). */
function unfilter(raw: Uint8Array, width: number, height: number): Uint8Array {
  const stride = width + 1;
  if (raw.length < stride * height) throw new CorruptImageError('png', 'the image data is shorter than its rows');
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * stride];
    const src = y * stride + 1;
    const row = y * width;
    const up = row - width;
    switch (filter) {
      case 0:
        out.set(raw.subarray(src, src + width), row);
        break;
      case 1:
        for (let x = 0; x < width; x++) out[row + x] = raw[src + x] + (x ? out[row + x - 1] : 0);
        break;
      case 2:
        for (let x = 0; x < width; x++) out[row + x] = raw[src + x] + (y ? out[up + x] : 0);
        break;
      case 3:
        for (let x = 0; x < width; x++) out[row + x] = raw[src + x] + (((x ? out[row + x - 1] : 0) + (y ? out[up + x] : 0)) >> 1);
        break;
      case 4:
        for (let x = 0; x < width; x++) {
          const a = x ? out[row + x - 1] : 0;
          const b = y ? out[up + x] : 0;
          const c = x && y ? out[up + x - 1] : 0;
          out[row + x] = raw[src + x] + paeth(a, b, c);
        }
        break;
      default:
        throw new CorruptImageError('png', `row ${y} has filter type ${filter}, which PNG does not define`);
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
