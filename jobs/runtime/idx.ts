import fs from 'node:fs/promises';
import zlib from 'node:zlib';
import { PlatformError } from '../../kernel/errors';

/** An IDX array (the MNIST file format): its dimensions and values, row-major. */
export interface IdxArray {
  dims: number[];
  type: IdxType;
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

const TYPES: Record<number, { type: IdxType; bytes: number }> = {
  0x08: { type: 'uint8', bytes: 1 },
  0x09: { type: 'int8', bytes: 1 },
  0x0b: { type: 'int16', bytes: 2 },
  0x0c: { type: 'int32', bytes: 4 },
  0x0d: { type: 'float32', bytes: 4 },
  0x0e: { type: 'float64', bytes: 8 },
};

export class IdxError extends PlatformError {}

/** Reads an IDX file, gzip-compressed (`.gz`, detected by content) or raw. */
export async function readIdx(file: string): Promise<IdxArray> {
  let bytes = await fs.readFile(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = zlib.gunzipSync(bytes);
    } catch (err) {
      throw new IdxError(`${file} is not a readable gzip file: ${(err as Error).message}`);
    }
  }
  return parseIdx(bytes, file);
}

export function parseIdx(bytes: Buffer, name = 'IDX data'): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxError(`${name} is not an IDX file: it must start with two zero bytes (magic number)`);
  }
  const kind = TYPES[bytes[2]];
  if (!kind) throw new IdxError(`${name} has an unknown IDX data type 0x${bytes[2].toString(16)}`);
  const ndims = bytes[3];
  if (ndims < 1 || ndims > 8) throw new IdxError(`${name} declares ${ndims} dimensions; IDX files have 1 to 8`);
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) throw new IdxError(`${name} is truncated inside its header`);
  const dims = Array.from({ length: ndims }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = count * kind.bytes;
  const found = bytes.length - headerBytes;
  if (found < expected) {
    throw new IdxError(`${name} is truncated: its header declares ${dims.join('x')} ${kind.type} values (${expected} bytes) but only ${found} bytes follow`);
  }
  return { dims, type: kind.type, data: values(bytes.subarray(headerBytes, headerBytes + expected), kind.type, count) };
}

function values(body: Buffer, type: IdxType, count: number): IdxArray['data'] {
  switch (type) {
    case 'uint8':
      return new Uint8Array(body.buffer.slice(body.byteOffset, body.byteOffset + count));
    case 'int8':
      return new Int8Array(body.buffer.slice(body.byteOffset, body.byteOffset + count));
    default: {
      // IDX is big-endian; typed arrays are not, so each value is read explicitly.
      const out = type === 'int16' ? new Int16Array(count) : type === 'int32' ? new Int32Array(count) : type === 'float32' ? new Float32Array(count) : new Float64Array(count);
      const read = { int16: body.readInt16BE, int32: body.readInt32BE, float32: body.readFloatBE, float64: body.readDoubleBE }[type];
      const size = { int16: 2, int32: 4, float32: 4, float64: 8 }[type];
      for (let i = 0; i < count; i++) out[i] = read.call(body, i * size);
      return out;
    }
  }
}
