/**
 * TensorProto ↔ model values. Requests may carry values in the typed `*_val` lists or
 * as `tensor_content` bytes (what tf.make_tensor_proto writes); a single value fills
 * the whole shape, as in TensorFlow. Outputs go back in the typed lists, as TF Serving
 * sends them.
 */
import { ApiError } from '../../kernel/errors';
import type { InputValue, NestedNumbers, TensorSpec } from '../../compute/input-values';
import { dataTypeName } from './signature';

export interface TensorProtoObject {
  dtype?: string;
  tensor_shape?: { dim?: { size?: string | number }[]; unknown_rank?: boolean };
  tensor_content?: Uint8Array;
  float_val?: number[];
  double_val?: number[];
  int_val?: number[];
  int64_val?: (string | number)[];
  bool_val?: boolean[];
  half_val?: number[];
  string_val?: Uint8Array[];
}

/** How each dtype's values are read: its typed list, and its tensor_content element. */
const READERS: Record<string, { list: keyof TensorProtoObject; bytes: number; read: (b: Buffer, at: number) => number }> = {
  DT_FLOAT: { list: 'float_val', bytes: 4, read: (b, at) => b.readFloatLE(at) },
  DT_DOUBLE: { list: 'double_val', bytes: 8, read: (b, at) => b.readDoubleLE(at) },
  DT_INT32: { list: 'int_val', bytes: 4, read: (b, at) => b.readInt32LE(at) },
  DT_INT16: { list: 'int_val', bytes: 2, read: (b, at) => b.readInt16LE(at) },
  DT_INT8: { list: 'int_val', bytes: 1, read: (b, at) => b.readInt8(at) },
  DT_UINT8: { list: 'int_val', bytes: 1, read: (b, at) => b.readUInt8(at) },
  DT_INT64: { list: 'int64_val', bytes: 8, read: (b, at) => Number(b.readBigInt64LE(at)) },
  DT_BOOL: { list: 'bool_val', bytes: 1, read: (b, at) => b.readUInt8(at) },
};

/** The value for model input `spec`, nested as the proto's shape says. */
export function tensorToInput(name: string, proto: TensorProtoObject): InputValue {
  const bad = (why: string) => new ApiError('predict_bad_input', `input "${name}" ${why}`);
  const dtype = proto.dtype ?? 'DT_INVALID';
  const reader = READERS[dtype];
  if (!reader) throw bad(`has dtype ${dtype}; tfjs models here take ${Object.keys(READERS).join(', ')}`);
  if (proto.tensor_shape?.unknown_rank) throw bad('has an unknown rank; send its shape');
  const shape = (proto.tensor_shape?.dim ?? []).map((d) => Number(d.size ?? 0));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw bad(`has shape [${shape.join(', ')}], which is not a concrete shape`);
  const size = shape.reduce((a, b) => a * b, 1);
  let values = readValues(proto, reader);
  if (values.length === 1 && size > 1) values = new Array<number>(size).fill(values[0]);
  if (values.length !== size) throw bad(`holds ${values.length} values for shape [${shape.join(', ')}] (${size} values)`);
  return nest(values, shape);
}

function readValues(proto: TensorProtoObject, reader: (typeof READERS)[string]): number[] {
  const content = proto.tensor_content;
  if (content && content.length) {
    const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    if (bytes.length % reader.bytes !== 0) throw new ApiError('predict_bad_input', `tensor_content of ${bytes.length} bytes is not a whole number of ${reader.bytes}-byte values`);
    return Array.from({ length: bytes.length / reader.bytes }, (_, i) => reader.read(bytes, i * reader.bytes));
  }
  const list = (proto[reader.list] ?? []) as (number | string | boolean)[];
  return list.map((v) => Number(v));
}

function nest(values: number[], shape: number[]): InputValue {
  if (shape.length === 0) return values[0];
  if (shape.length === 1) return values;
  const stride = values.length / shape[0];
  return Array.from({ length: shape[0] }, (_, i) => nest(values.slice(i * stride, (i + 1) * stride), shape.slice(1)));
}

/** Where TensorProto keeps each dtype's values (TensorFlow's own choice, which clients' make_ndarray reads). */
const OUTPUT_LISTS: Record<string, keyof TensorProtoObject> = {
  DT_FLOAT: 'float_val',
  DT_DOUBLE: 'double_val',
  DT_INT32: 'int_val',
  DT_INT16: 'int_val',
  DT_INT8: 'int_val',
  DT_UINT8: 'int_val',
  DT_INT64: 'int64_val',
  DT_BOOL: 'bool_val',
};

/** A model output as a TensorProto: the dims of the nested arrays, values in the dtype's list. */
export function outputToTensor(value: NestedNumbers, spec: TensorSpec, tfDtype?: string): TensorProtoObject {
  const shape: number[] = [];
  for (let probe: NestedNumbers = value; Array.isArray(probe); probe = probe[0]) shape.push(probe.length);
  const flat: (number | boolean)[] = [];
  const walk = (node: NestedNumbers): void => void (Array.isArray(node) ? node.forEach(walk) : flat.push(node));
  walk(value);
  const dtype = tfDtype && OUTPUT_LISTS[tfDtype] ? tfDtype : dataTypeName(spec.dtype);
  const proto: TensorProtoObject = { dtype, tensor_shape: { dim: shape.map((size) => ({ size })) } };
  const list = OUTPUT_LISTS[dtype];
  if (list === 'int64_val') proto.int64_val = flat.map((v) => String(Number(v)));
  else if (list === 'int_val') proto.int_val = flat.map(Number);
  else if (list === 'double_val') proto.double_val = flat.map(Number);
  else if (dtype === 'DT_BOOL') proto.bool_val = flat.map(Boolean);
  else proto.float_val = flat.map(Number);
  return proto;
}
