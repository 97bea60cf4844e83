/** Encoders for test images: PNG (pngjs), JPEG (jpeg-js) and a BMP writer for every layout we decode. */
import zlib from 'node:zlib';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';

export type Rgba = [number, number, number, number];

export function grayPng(pixels: Uint8Array, width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(pixels);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

export function rgbaPng(rgba: Uint8Array, width: number, height: number, colorType: 2 | 6 = 6): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba);
  return PNG.sync.write(png, { colorType });
}

export function grayJpeg(pixels: Uint8Array, width: number, height: number, quality = 95): Buffer {
  return jpeg.encode({ data: grayToRgba(pixels), width, height }, quality).data;
}

export function grayToRgba(pixels: Uint8Array): Uint8Array {
  const out = new Uint8Array(pixels.length * 4);
  pixels.forEach((v, i) => out.set([v, v, v, 255], i * 4));
  return out;
}

/** A PNG signature and IHDR chunk (with a correct CRC) declaring any size, and nothing else. */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit grayscale, deflate, no filter, no interlace
  const typeAndData = Buffer.concat([Buffer.from('IHDR'), ihdr]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(13);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typeAndData));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), length, typeAndData, crc]);
}

export interface BmpSpec {
  width: number;
  height: number;
  bits: 1 | 4 | 8 | 16 | 24 | 32;
  topDown?: boolean;
  /** For 1/4/8 bits: RGB entries; `pixel` then returns an index. */
  palette?: [number, number, number][];
  /** For 16/32 bits with BI_BITFIELDS: r, g, b, a masks (a 108-byte V4 header carries them). */
  masks?: [number, number, number, number];
  /** Masks in a 40-byte header's layout: three of them, just after the header (no alpha). */
  masksAfterHeader?: boolean;
  /** An index (palette), or RGBA; for plain 32-bit the alpha byte is written as given. */
  pixel: (x: number, y: number) => number | Rgba;
}

export function encodeBmp(spec: BmpSpec): Buffer {
  const { width, height, bits } = spec;
  const headerSize = spec.masks && !spec.masksAfterHeader ? 108 : 40;
  const maskBytes = spec.masksAfterHeader ? 12 : 0;
  const palette = spec.palette ?? [];
  const stride = Math.floor((bits * width + 31) / 32) * 4;
  const pixelOffset = 14 + headerSize + maskBytes + palette.length * 4;
  const buf = Buffer.alloc(pixelOffset + stride * height);
  buf.write('BM', 0, 'ascii');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(pixelOffset, 10);
  buf.writeUInt32LE(headerSize, 14);
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(spec.topDown ? -height : height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(bits, 28);
  buf.writeUInt32LE(spec.masks ? 3 : 0, 30);
  buf.writeUInt32LE(stride * height, 34);
  buf.writeUInt32LE(palette.length, 46);
  spec.masks?.slice(0, spec.masksAfterHeader ? 3 : 4).forEach((m, i) => buf.writeUInt32LE(m >>> 0, 54 + i * 4));
  palette.forEach(([r, g, b], i) => buf.set([b, g, r, 0], 14 + headerSize + i * 4));
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + stride * (spec.topDown ? y : height - 1 - y);
    for (let x = 0; x < width; x++) writePixel(buf, row, x, spec.pixel(x, y), spec);
  }
  return buf;
}

function writePixel(buf: Buffer, row: number, x: number, value: number | Rgba, spec: BmpSpec): void {
  const { bits } = spec;
  if (bits <= 8) {
    const perByte = 8 / bits;
    const at = row + Math.floor(x / perByte);
    buf[at] |= (value as number) << (8 - bits * ((x % perByte) + 1));
    return;
  }
  const [r, g, b, a] = value as Rgba;
  if (spec.masks) {
    const packed = [r, g, b, a].reduce((acc, v, i) => acc | pack(v, spec.masks![i]), 0) >>> 0;
    if (bits === 16) buf.writeUInt16LE(packed, row + x * 2);
    else buf.writeUInt32LE(packed, row + x * 4);
    return;
  }
  const at = row + x * (bits / 8);
  buf.set(bits === 32 ? [b, g, r, a] : [b, g, r], at);
}

/** An 8-bit value placed into a channel mask, scaled to its width. */
function pack(value: number, mask: number): number {
  const m = mask >>> 0;
  if (m === 0) return 0;
  let shift = 0;
  while (((m >>> shift) & 1) === 0) shift++;
  const max = m >>> shift;
  return (Math.round((value * max) / 255) * 2 ** shift) >>> 0;
}
