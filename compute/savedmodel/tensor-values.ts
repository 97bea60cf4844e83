/**
 * Tensor values (a Const's TensorProto or a checkpoint entry) as tfjs weights: tfjs
 * computes in float32, int32, bool and string, so doubles and halves become float32 and
 * every integer type becomes int32. An int64 value outside int32's range cannot be
 * narrowed and is refused by name.
 */
import { ConversionError } from './conversion-error';
import type { TensorJson } from './graph-types';
import type { BundleTensor } from './tensor-bundle';

export type WeightDtype = 'float32' | 'int32' | 'bool' | 'string';

export interface WeightValue {
  dtype: WeightDtype;
  shape: number[];
  /** Little-endian values; for strings, each as a uint32 length then its bytes (tfjs' weight layout). */
  data: Buffer;
}

const FLOATS = new Set(['DT_FLOAT', 'DT_DOUBLE', 'DT_HALF', 'DT_BFLOAT16']);
const INTS: Record<string, { bytes: number; read: (b: Buffer, at: number) => number | bigint }> = {
  DT_INT32: { bytes: 4, read: (b, at) => b.readInt32LE(at) },
  DT_INT64: { bytes: 8, read: (b, at) => b.readBigInt64LE(at) },
  DT_UINT8: { bytes: 1, read: (b, at) => b.readUInt8(at) },
  DT_INT8: { bytes: 1, read: (b, at) => b.readInt8(at) },
  DT_INT16: { bytes: 2, read: (b, at) => b.readInt16LE(at) },
  DT_UINT16: { bytes: 2, read: (b, at) => b.readUInt16LE(at) },
  DT_UINT32: { bytes: 4, read: (b, at) => b.readUInt32LE(at) },
};

/** DT_FLOAT_REF → DT_FLOAT: a TF1 variable's reference type is its value's type here. */
export function baseDtype(dtype: string | number | undefined): string {
  return String(dtype ?? 'DT_INVALID').replace(/_REF$/, '');
}

/** The tfjs dtype that holds a TensorFlow dtype's values, or undefined when none does. */
export function tfjsDtype(dtype: string): WeightDtype | undefined {
  if (FLOATS.has(dtype)) return 'float32';
  if (INTS[dtype]) return 'int32';
  if (dtype === 'DT_BOOL') return 'bool';
  if (dtype === 'DT_STRING') return 'string';
  return undefined;
}

export function weightFromBundle(name: string, t: BundleTensor): WeightValue {
  const dtype = baseDtype(t.dtype);
  if (dtype === 'DT_STRING') return strings(t.shape, (t.strings ?? []).map((s) => Buffer.from(s)));
  return numeric(name, dtype, t.shape, Buffer.from(t.bytes ?? new Uint8Array()), count(t.shape));
}

export function weightFromTensor(name: string, t: TensorJson): WeightValue {
  const dtype = baseDtype(t.dtype);
  const shape = (t.tensorShape?.dim ?? []).map((d) => Number(d.size ?? 0));
  const n = count(shape);
  if (dtype === 'DT_STRING') return strings(shape, fill((t.stringVal ?? []).map((s) => Buffer.from(s, 'base64')), n));
  if (t.tensorContent) return numeric(name, dtype, shape, Buffer.from(t.tensorContent, 'base64'), n);
  return fromLists(name, dtype, shape, t, n);
}

function fromLists(name: string, dtype: string, shape: number[], t: TensorJson, n: number): WeightValue {
  const target = tfjsDtype(dtype);
  if (!target) throw new ConversionError(`constant ${name} has dtype ${dtype}, which tfjs cannot hold`);
  let values: (number | bigint | boolean)[];
  if (dtype === 'DT_FLOAT') values = t.floatVal ?? [];
  else if (dtype === 'DT_DOUBLE') values = t.doubleVal ?? [];
  else if (dtype === 'DT_HALF' || dtype === 'DT_BFLOAT16') values = (t.halfVal ?? []).map((h) => (dtype === 'DT_HALF' ? halfToFloat(h) : bfloatToFloat(h)));
  else if (dtype === 'DT_INT64') values = (t.int64Val ?? []).map((v) => BigInt(v));
  else if (dtype === 'DT_BOOL') values = t.boolVal ?? [];
  else values = t.intVal ?? [];
  return pack(name, target, shape, fill(values, n));
}

function numeric(name: string, dtype: string, shape: number[], bytes: Buffer, n: number): WeightValue {
  const target = tfjsDtype(dtype);
  if (!target) throw new ConversionError(`${name} has dtype ${dtype}, which tfjs cannot hold`);
  if (dtype === 'DT_FLOAT') return { dtype: 'float32', shape, data: exact(name, bytes, n * 4) };
  if (dtype === 'DT_INT32') return { dtype: 'int32', shape, data: exact(name, bytes, n * 4) };
  if (dtype === 'DT_BOOL') return { dtype: 'bool', shape, data: exact(name, bytes, n) };
  const values: (number | bigint)[] = [];
  if (dtype === 'DT_DOUBLE') for (let i = 0; i < n; i++) values.push(bytes.readDoubleLE(i * 8));
  else if (dtype === 'DT_HALF') for (let i = 0; i < n; i++) values.push(halfToFloat(bytes.readUInt16LE(i * 2)));
  else if (dtype === 'DT_BFLOAT16') for (let i = 0; i < n; i++) values.push(bfloatToFloat(bytes.readUInt16LE(i * 2)));
  else {
    const int = INTS[dtype];
    exact(name, bytes, n * int.bytes);
    for (let i = 0; i < n; i++) values.push(int.read(bytes, i * int.bytes));
  }
  return pack(name, target, shape, values);
}

function pack(name: string, dtype: WeightDtype, shape: number[], values: (number | bigint | boolean)[]): WeightValue {
  if (dtype === 'bool') return { dtype, shape, data: Buffer.from(values.map((v) => (v ? 1 : 0))) };
  const data = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => {
    if (dtype === 'float32') data.writeFloatLE(Number(v), i * 4);
    else data.writeInt32LE(narrow(name, v), i * 4);
  });
  return { dtype, shape, data };
}

function narrow(name: string, v: number | bigint | boolean): number {
  const n = Number(v);
  if (n > 2147483647 || n < -2147483648) {
    throw new ConversionError(`${name} holds ${String(v)}, outside int32: tfjs computes integers as int32, so this int64 value cannot be kept`);
  }
  return n;
}

function strings(shape: number[], values: Buffer[]): WeightValue {
  const parts: Buffer[] = [];
  for (const v of values) {
    const length = Buffer.alloc(4);
    length.writeUInt32LE(v.length);
    parts.push(length, v);
  }
  return { dtype: 'string', shape, data: Buffer.concat(parts) };
}

function exact(name: string, bytes: Buffer, expected: number): Buffer {
  if (bytes.length !== expected) throw new ConversionError(`${name} holds ${bytes.length} bytes where its shape needs ${expected}`);
  return bytes;
}

/** TensorFlow repeats the last listed value to fill the shape (an empty list means zeros). */
function fill<T>(values: T[], n: number): T[] {
  if (values.length >= n) return values.slice(0, n);
  if (!values.length) return new Array<T>(n).fill(0 as T);
  return [...values, ...new Array<T>(n - values.length).fill(values[values.length - 1])];
}

function count(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function bfloatToFloat(h: number): number {
  const b = Buffer.alloc(4);
  b.writeUInt32LE((h & 0xffff) << 16 >>> 0);
  return b.readFloatLE(0);
}
