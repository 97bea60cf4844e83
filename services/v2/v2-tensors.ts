/**
 * Tensors of the Open Inference Protocol (KServe V2, as Triton and MLServer speak it):
 * `{name, shape, datatype, data}` with the data flat in row-major order (nested lists
 * are read too), turned into a model input, and model outputs turned back.
 */
import { ApiError } from '../../kernel/errors';
import type { InputData, NestedNumbers, TensorSpec } from '../../compute/loaded-model';
import { DTYPE_RANGES } from '../../compute/input-values';

export interface V2Tensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown;
  parameters?: Record<string, unknown>;
}

/** tfjs dtypes and the protocol's datatypes that carry them. */
const DATATYPES: Record<string, string> = { float32: 'FP32', int32: 'INT32', bool: 'BOOL' };

const bad = (message: string) => new ApiError('predict_bad_input', message);

export function v2Datatype(dtype: string): string {
  return DATATYPES[dtype] ?? dtype.toUpperCase();
}

/** A shape as the protocol writes it: -1 for a dimension of any size. */
export function v2Shape(spec: TensorSpec): number[] {
  return (spec.shape ?? []).map((d) => (d === null ? -1 : d));
}

/** The request's input for `spec`, checked against the model's datatype and shape. */
export function toModelInput(tensor: V2Tensor, spec: TensorSpec): InputData {
  const expected = v2Datatype(spec.dtype);
  if (tensor.datatype !== expected) throw bad(`input "${spec.name}" has datatype ${String(tensor.datatype)}; the model takes ${expected}`);
  const shape = tensor.shape;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) throw bad(`input "${spec.name}" needs "shape", a list of whole numbers`);
  if (spec.shape && (spec.shape.length !== shape.length || spec.shape.some((d, i) => d !== null && d !== shape[i]))) {
    throw bad(`input "${spec.name}" has shape ${JSON.stringify(shape)}; the model takes ${JSON.stringify(v2Shape(spec))}`);
  }
  const flat = flatten(tensor.data, spec.name);
  const size = shape.reduce((a, b) => a * b, 1);
  if (flat.length !== size) throw bad(`input "${spec.name}" has ${flat.length} values in "data"; shape ${JSON.stringify(shape)} holds ${size}`);
  const dtype = spec.dtype as InputData['dtype'];
  const values = dtype === 'float32' ? new Float32Array(size) : dtype === 'int32' ? new Int32Array(size) : new Uint8Array(size);
  for (let i = 0; i < size; i++) values[i] = checked(flat[i], dtype, spec.name);
  return { values, dtype, shape };
}

function flatten(data: unknown, name: string): unknown[] {
  if (!Array.isArray(data)) throw bad(`input "${name}" needs "data", a list of values in row-major order`);
  return data.some(Array.isArray) ? (data as unknown[]).flat(Infinity) : data;
}

function checked(value: unknown, dtype: InputData['dtype'], name: string): number {
  if (dtype === 'bool') {
    if (typeof value !== 'boolean') throw bad(`input "${name}" is BOOL: its data must be true or false, not ${JSON.stringify(value)}`);
    return value ? 1 : 0;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(`input "${name}" holds ${JSON.stringify(value)} where a finite number belongs`);
  if (dtype === 'int32' && !Number.isInteger(value)) throw bad(`input "${name}" is INT32 and holds ${value}, which is not a whole number`);
  const [min, max] = DTYPE_RANGES[dtype];
  if (value < min || value > max) throw bad(`input "${name}" holds ${value}, which is outside what ${v2Datatype(dtype)} holds (${min} to ${max})`);
  return value;
}

/** A model output as a protocol tensor: its shape read from the nested lists, its data flat. */
export function fromModelOutput(spec: TensorSpec, value: NestedNumbers): V2Tensor {
  const shape: number[] = [];
  for (let probe: NestedNumbers = value; Array.isArray(probe); probe = probe[0]) shape.push(probe.length);
  const data = Array.isArray(value) ? (value as unknown[]).flat(Infinity as 1) : [value];
  return { name: spec.name, datatype: v2Datatype(spec.dtype), shape, data };
}
