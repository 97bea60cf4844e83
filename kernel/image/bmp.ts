/**
 * A small decoder for uncompressed Windows bitmaps: 1/4/8-bit palettes, 16-bit,
 * 24-bit and 32-bit (plain or with BI_BITFIELDS masks), bottom-up or top-down.
 * No library covers BMP, and the format is simple enough to read with full checks.
 */
import { CorruptImageError } from './errors';

export interface BmpHeader {
  width: number;
  height: number;
  topDown: boolean;
  bitsPerPixel: number;
  compression: number;
  pixelOffset: number;
  headerSize: number;
  paletteOffset: number;
  paletteEntrySize: 3 | 4;
  paletteCount: number;
  masks?: { r: number; g: number; b: number; a: number };
}

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;
const KNOWN_HEADER_SIZES = [12, 40, 52, 56, 64, 108, 124];

const corrupt = (detail: string) => new CorruptImageError('bmp', detail);

export function readBmpHeader(bytes: Uint8Array): BmpHeader {
  if (bytes.length < 26) throw corrupt('the file ends inside the header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pixelOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (!KNOWN_HEADER_SIZES.includes(headerSize)) throw corrupt(`unknown header size ${headerSize}`);
  if (bytes.length < 14 + headerSize) throw corrupt('the file ends inside the header');
  if (headerSize === 12) {
    // OS/2 1.x core header: 16-bit unsigned sizes, always bottom-up, 3-byte palette entries.
    const bitsPerPixel = view.getUint16(24, true);
    return {
      width: view.getUint16(18, true),
      height: view.getUint16(20, true),
      topDown: false,
      bitsPerPixel,
      compression: BI_RGB,
      pixelOffset,
      headerSize,
      paletteOffset: 26,
      paletteEntrySize: 3,
      paletteCount: bitsPerPixel <= 8 ? 1 << bitsPerPixel : 0,
    };
  }
  const rawHeight = view.getInt32(22, true);
  const bitsPerPixel = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const colorsUsed = view.getUint32(46, true);
  const header: BmpHeader = {
    width: view.getInt32(18, true),
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bitsPerPixel,
    compression,
    pixelOffset,
    headerSize,
    paletteOffset: 14 + headerSize,
    paletteEntrySize: 4,
    paletteCount: bitsPerPixel <= 8 ? Math.min(colorsUsed || 1 << bitsPerPixel, 1 << bitsPerPixel) : 0,
  };
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    // A 40-byte header keeps its masks just after it; larger headers hold them inside.
    const withAlpha = compression === BI_ALPHABITFIELDS || headerSize >= 56;
    const maskCount = withAlpha ? 4 : 3;
    if (headerSize === 40) header.paletteOffset += maskCount * 4;
    if (bytes.length < 54 + maskCount * 4) throw corrupt('the file ends inside the colour masks');
    const mask = (k: number) => view.getUint32(54 + 4 * k, true);
    header.masks = { r: mask(0), g: mask(1), b: mask(2), a: withAlpha ? mask(3) : 0 };
  }
  return header;
}

/** Decodes to RGBA, 4 bytes a pixel, top row first. */
export function decodeBmp(bytes: Uint8Array, header: BmpHeader): Uint8Array {
  const { width, height, bitsPerPixel: bpp, compression } = header;
  if (compression === BI_RLE8 || compression === BI_RLE4) throw corrupt('run-length compressed bitmaps (RLE) are not supported');
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw corrupt(`compression type ${compression} is not supported`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw corrupt(`${bpp} bits per pixel is not supported`);
  if (width <= 0 || height <= 0) throw corrupt(`the header declares ${width}x${height} pixels`);
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (header.pixelOffset + stride * height > bytes.length) throw corrupt('the file ends inside the pixel data');
  const readPixel = bpp <= 8 ? paletteReader(bytes, header) : directReader(bytes, header);
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = header.pixelOffset + stride * (header.topDown ? y : height - 1 - y);
    for (let x = 0; x < width; x++) readPixel(row, x, out, (y * width + x) * 4);
  }
  return out;
}

type PixelReader = (row: number, x: number, out: Uint8Array, at: number) => void;

function paletteReader(bytes: Uint8Array, header: BmpHeader): PixelReader {
  const bpp = header.bitsPerPixel;
  // Entries are BGR(X); the ones the file lacks, and indexes past the palette, read as black.
  const palette = new Uint8Array(256 * 3);
  const available = Math.floor((bytes.length - header.paletteOffset) / header.paletteEntrySize);
  const count = Math.max(0, Math.min(header.paletteCount, available));
  for (let i = 0; i < count; i++) {
    const at = header.paletteOffset + i * header.paletteEntrySize;
    palette[i * 3] = bytes[at + 2];
    palette[i * 3 + 1] = bytes[at + 1];
    palette[i * 3 + 2] = bytes[at];
  }
  const perByte = 8 / bpp;
  const mask = (1 << bpp) - 1;
  return (row, x, out, at) => {
    const byte = bytes[row + Math.floor(x / perByte)];
    const shift = 8 - bpp * ((x % perByte) + 1);
    const c = ((byte >> shift) & mask) * 3;
    out[at] = palette[c];
    out[at + 1] = palette[c + 1];
    out[at + 2] = palette[c + 2];
    out[at + 3] = 255;
  };
}

function directReader(bytes: Uint8Array, header: BmpHeader): PixelReader {
  const bpp = header.bitsPerPixel;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bpp === 24 || (bpp === 32 && !header.masks)) {
    // Plain 32-bit keeps its fourth byte unused: such pixels are opaque.
    const step = bpp / 8;
    return (row, x, out, at) => {
      const p = row + x * step;
      out[at] = bytes[p + 2];
      out[at + 1] = bytes[p + 1];
      out[at + 2] = bytes[p];
      out[at + 3] = 255;
    };
  }
  const masks = header.masks ?? { r: 0x7c00, g: 0x03e0, b: 0x001f, a: 0 };
  const [r, g, b, a] = [masks.r, masks.g, masks.b, masks.a].map(channelOf);
  const read = bpp === 16 ? (p: number) => view.getUint16(p, true) : (p: number) => view.getUint32(p, true);
  const step = bpp / 8;
  return (row, x, out, at) => {
    const px = read(row + x * step);
    out[at] = r(px);
    out[at + 1] = g(px);
    out[at + 2] = b(px);
    out[at + 3] = masks.a ? a(px) : 255;
  };
}

/** Extracts one masked channel and scales it to 0..255. */
function channelOf(mask: number): (px: number) => number {
  const m = mask >>> 0;
  if (m === 0) return () => 0;
  let shift = 0;
  while (((m >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (bits + shift < 32 && ((m >>> (shift + bits)) & 1) === 1) bits++;
  const max = 2 ** bits - 1;
  return (px) => Math.min(255, Math.round((((px & m) >>> 0) / 2 ** shift) * (255 / max)));
}
