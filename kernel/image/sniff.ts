/**
 * Which image format a file is, from its magic bytes, and the size its header
 * declares: read before any decoding so that oversized images cost nothing.
 */
import { readBmpHeader } from './bmp';
import { CorruptImageError, type ImageFormat } from './errors';

export { CorruptImageError } from './errors';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** 'IHDR' as a big-endian 32-bit number, as chunk types are compared. */
const IHDR = 0x49484452;

function detectFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) return 'bmp';
  return undefined;
}

/** The format and declared size, or undefined for a file that is none of the three formats. */
export function readHeader(bytes: Uint8Array): ImageHeader | undefined {
  const format = detectFormat(bytes);
  switch (format) {
    case 'png':
      return { format, ...pngSize(bytes) };
    case 'jpeg':
      return { format, ...jpegSize(bytes) };
    case 'bmp': {
      const { width, height } = readBmpHeader(bytes);
      return { format, width, height };
    }
    default:
      return undefined;
  }
}

function pngSize(bytes: Uint8Array): { width: number; height: number } {
  // Signature, then the IHDR chunk must come first: length 13, type, width, height …
  if (bytes.length < 33) throw new CorruptImageError('png', 'the file ends inside the header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(8) !== 13 || view.getUint32(12) !== IHDR) throw new CorruptImageError('png', 'the first chunk is not IHDR');
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

// SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
const isFrameMarker = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** Walks the marker segments up to the first frame header; every step moves forward, so it ends. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } {
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) throw new CorruptImageError('jpeg', `no marker at byte ${i}`);
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) throw new CorruptImageError('jpeg', 'the image data starts before any frame header');
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    if (length < 2) throw new CorruptImageError('jpeg', `a segment at byte ${i} has length ${length}`);
    if (isFrameMarker(marker)) {
      if (i + 9 > bytes.length) break;
      const height = (bytes[i + 5] << 8) | bytes[i + 6];
      const width = (bytes[i + 7] << 8) | bytes[i + 8];
      return { width, height };
    }
    i += 2 + length;
  }
  throw new CorruptImageError('jpeg', 'the file ends before the frame header');
}
