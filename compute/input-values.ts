/**
 * Turns request values (nested JSON arrays, flat lists, typed arrays) into the flat
 * buffer and shape of one model input, checking everything before any tensor exists,
 * so a bad request costs no tfjs memory and gets a message that names the input.
 */
import { ApiError } from '../kernel/errors';

/** One input or output of a model as clients see it; `null` dims take any size. */
export interface TensorSpec {
  name: string;
  dtype: string;
  /** `null` when the model does not say (some graph-model outputs). */
  shape: (number | null)[] | null;
  /**
   * The shape is declared but not enforced (a TF1 SavedModel's placeholder takes any
   * shape, as in TensorFlow): values keep their own shape, except a flat typed array,
   * which is fitted to the declared one as for any model.
   */
  loose?: boolean;
}

export type TypedNumbers = Float32Array | Float64Array | Int32Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array;
export type NestedNumbers = number | boolean | NestedNumbers[];
export type InputValue = number | boolean | TypedNumbers | InputValue[];

export interface InputData {
  values: Float32Array | Int32Array | Uint8Array;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
}

/** The values each input dtype holds (float32: ±FLT_MAX). */
export const DTYPE_RANGES: Record<InputData['dtype'], [number, number]> = {
  float32: [-3.4028234663852886e38, 3.4028234663852886e38],
  int32: [-2147483648, 2147483647],
  bool: [0, 1],
};

/** Deeper arrays than any model input: refused before walking further. */
const MAX_RANK = 16;

function describeSpec(spec: TensorSpec): string {
  return `${spec.name} (${spec.dtype}, shape ${formatShape(spec.shape)})`;
}

export function describeSpecs(specs: TensorSpec[]): string {
  return specs.map(describeSpec).join(', ');
}

function formatShape(shape: (number | null)[] | null): string {
  return shape ? `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]` : 'unknown';
}

/** The buffer and shape for `spec` from a client value; ApiError `predict_bad_input` when it does not fit. */
export function toInputData(spec: TensorSpec, value: InputValue, all: TensorSpec[]): InputData {
  const dtype = inputDtype(spec);
  const bad = (why: string) =>
    new ApiError('predict_bad_input', `input "${spec.name}" ${why}; the model expects ${describeSpecs(all)}`);
  const typed = isTypedArray(value);
  const shape = typed ? [value.length] : probeShape(value, bad);
  const fitted = spec.loose && !typed ? shape : fitShape(spec.shape, shape, shape.reduce((a, b) => a * b, 1));
  if (!fitted) throw bad(`has shape ${formatShape(shape)}`);
  const values = typed ? convert(value, dtype, bad) : flattenInto(value, shape, dtype, bad);
  return { values, shape: fitted, dtype };
}

function inputDtype(spec: TensorSpec): InputData['dtype'] {
  if (spec.dtype === 'float32' || spec.dtype === 'int32' || spec.dtype === 'bool') return spec.dtype;
  throw new ApiError('predict_bad_input', `input "${spec.name}" has dtype ${spec.dtype}, which requests cannot supply`);
}

/**
 * The shape to use, or undefined when `given` cannot be `expected`. A flat list also
 * fits a batch of rows when every dim after the first is known (784 floats → [1, 784]).
 */
function fitShape(expected: TensorSpec['shape'], given: number[], size: number): number[] | undefined {
  if (expected === null) return given;
  if (dimsMatch(expected, given)) return given;
  if (given.length !== 1 || expected.length < 2) return undefined;
  const rest = expected.slice(1);
  if (rest.some((d) => d === null)) return undefined;
  const rowSize = (rest as number[]).reduce((a, b) => a * b, 1);
  if (rowSize === 0 || size === 0 || size % rowSize !== 0) return undefined;
  const candidate = [size / rowSize, ...(rest as number[])];
  return dimsMatch(expected, candidate) ? candidate : undefined;
}

function dimsMatch(expected: (number | null)[], given: number[]): boolean {
  return expected.length === given.length && expected.every((d, i) => d === null || d === given[i]);
}

/** Shape from the first element at each level; every element is checked while flattening. */
function probeShape(value: InputValue, bad: (why: string) => ApiError): number[] {
  const shape: number[] = [];
  let probe: unknown = value;
  while (isList(probe)) {
    if (shape.length >= MAX_RANK) throw bad(`is nested deeper than ${MAX_RANK} levels`);
    shape.push(probe.length);
    probe = probe[0];
  }
  return shape;
}

/**
 * The values of a nested list of `shape`, straight into the model's typed array (one
 * pass, no intermediate list: this runs on every prediction). Typed arrays count as
 * lists, so `[Float32Array(784)]` is one row.
 */
function flattenInto(value: InputValue, shape: number[], dtype: InputData['dtype'], bad: (why: string) => ApiError): InputData['values'] {
  const out = allocate(dtype, shape.reduce((a, b) => a * b, 1));
  let at = 0;
  const walk = (node: unknown, depth: number): void => {
    if (!isList(node) || node.length !== shape[depth]) {
      throw bad(`is ragged: not every list at depth ${depth} has ${shape[depth]} elements`);
    }
    if (depth < shape.length - 1) {
      for (let i = 0; i < node.length; i++) walk(node[i], depth + 1);
      return;
    }
    // A row of float32s (a Python hook's numpy array) is checked in one tight pass and copied whole.
    if (dtype === 'float32' && node instanceof Float32Array && allFinite(node)) {
      out.set(node, at);
      at += node.length;
      return;
    }
    for (let i = 0; i < node.length; i++) out[at++] = checked(node[i], dtype, bad);
  };
  if (shape.length === 0) out[at++] = checked(value, dtype, bad);
  else walk(value, 0);
  return out;
}

function isList(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || isTypedArray(value);
}

function convert(flat: TypedNumbers, dtype: InputData['dtype'], bad: (why: string) => ApiError): InputData['values'] {
  // The usual case (a hook's toFloatVector): checked in one tight pass and used as it is.
  if (dtype === 'float32' && flat instanceof Float32Array && allFinite(flat)) return flat;
  const out = allocate(dtype, flat.length);
  for (let i = 0; i < flat.length; i++) out[i] = checked(flat[i], dtype, bad);
  return out;
}

function allocate(dtype: InputData['dtype'], size: number): InputData['values'] {
  return dtype === 'float32' ? new Float32Array(size) : dtype === 'int32' ? new Int32Array(size) : new Uint8Array(size);
}

function checked(value: unknown, dtype: InputData['dtype'], bad: (why: string) => ApiError): number {
  if (typeof value !== 'number' && typeof value !== 'boolean') throw bad(`holds ${kindOf(value)} where a number belongs`);
  const v = Number(value);
  if (!Number.isFinite(v)) throw bad(`holds ${value}, which is not a finite number`);
  if (dtype !== 'float32' && !Number.isInteger(v)) throw bad(`holds ${v}, which is not an integer (${dtype})`);
  // Stored in the model's typed array, a larger value would become Infinity (float32) or wrap around (int32).
  const [min, max] = DTYPE_RANGES[dtype];
  if (v < min || v > max) throw bad(`holds ${v}, which is outside what ${dtype} holds (${min} to ${max})`);
  return v;
}

function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

function isTypedArray(value: unknown): value is TypedNumbers {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 20))}` : `a ${typeof v}`;
}
