/**
 * TF Serving's REST request and response bodies for `:predict`: the row format
 * (`instances` → `predictions`) and the columnar one (`inputs` → `outputs`), with
 * `{"b64": …}` for binary values. tfjs models take no string tensors, so a b64 value
 * for a numeric input carries that tensor's raw little-endian bytes, as the gRPC API's
 * `tensor_content` does.
 */
import { ApiError } from '../../kernel/errors';
import type { InputValue, NestedNumbers, TensorSpec } from '../../compute/input-values';

export type RestFormat = 'row' | 'columnar';

export interface PredictRequestBody {
  format: RestFormat;
  inputs: Record<string, InputValue>;
}

const bad = (message: string) => new ApiError('predict_bad_input', message);

export function parsePredictBody(body: unknown, specs: TensorSpec[]): PredictRequestBody {
  if (!isPlainObject(body)) throw bad('the request body must be a JSON object with "instances" or "inputs"');
  const hasRows = 'instances' in body;
  const hasColumns = 'inputs' in body;
  if (hasRows && hasColumns) throw bad('Request body may contain only one of "instances" (row format) or "inputs" (columnar format)');
  if (!hasRows && !hasColumns) throw bad('Missing "inputs" or "instances" key in the request body');
  const named = hasRows ? fromRows(body.instances, specs) : fromColumns(body.inputs, specs);
  const inputs: Record<string, InputValue> = {};
  for (const [name, value] of Object.entries(named)) {
    const spec = specs.find((s) => s.name === name);
    inputs[name] = spec ? decodeBinary(value, spec) : (value as InputValue);
  }
  return { format: hasRows ? 'row' : 'columnar', inputs };
}

/** Rows are values of the one input, or objects naming every input. */
function fromRows(instances: unknown, specs: TensorSpec[]): Record<string, unknown> {
  if (!Array.isArray(instances) || instances.length === 0) throw bad('"instances" must be a non-empty list, one element per example');
  if (isPlainObject(instances[0]) && !isBinary(instances[0])) {
    const out: Record<string, unknown[]> = {};
    instances.forEach((row, i) => {
      if (!isPlainObject(row) || isBinary(row)) throw bad(`instances[${i}] is not an object like instances[0]; every instance names the same inputs`);
      for (const [name, value] of Object.entries(row)) (out[name] ??= []).push(value);
    });
    const ragged = Object.entries(out).find(([, values]) => values.length !== instances.length);
    if (ragged) throw bad(`input "${ragged[0]}" is missing from some instances; every instance names the same inputs`);
    return out;
  }
  return { [onlyInput(specs, 'instances')]: instances };
}

/** Columns are the one input's value, or an object of input name → value. */
function fromColumns(inputs: unknown, specs: TensorSpec[]): Record<string, unknown> {
  if (isPlainObject(inputs) && !isBinary(inputs)) return inputs;
  return { [onlyInput(specs, 'inputs')]: inputs };
}

function onlyInput(specs: TensorSpec[], key: string): string {
  if (specs.length !== 1) {
    throw bad(`the model has ${specs.length} inputs (${specs.map((s) => s.name).join(', ')}); name them: "${key}": ${key === 'instances' ? '[{name: value, …}, …]' : '{name: value, …}'}`);
  }
  return specs[0].name;
}

/** b64 leaves become the numbers their bytes hold; the whole value is then flat, shaped by the model. */
function decodeBinary(value: unknown, spec: TensorSpec): InputValue {
  if (!containsBinary(value)) return value as InputValue;
  const parts: number[][] = [];
  const walk = (node: unknown): void => {
    if (isBinary(node)) parts.push(Array.from(bytesAs(node.b64, spec)));
    else if (Array.isArray(node)) node.forEach(walk);
    else parts.push([node as number]);
  };
  walk(value);
  return parts.flat();
}

function bytesAs(b64: unknown, spec: TensorSpec): ArrayLike<number> {
  if (typeof b64 !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64)) throw bad(`input "${spec.name}" has a "b64" value that is not base64`);
  const bytes = Buffer.from(b64, 'base64');
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  if (spec.dtype === 'float32' || spec.dtype === 'int32') {
    if (bytes.length % 4 !== 0) throw bad(`input "${spec.name}" is ${spec.dtype}: its "b64" bytes must be a multiple of 4 (got ${bytes.length})`);
    return spec.dtype === 'float32' ? new Float32Array(copy) : new Int32Array(copy);
  }
  if (spec.dtype === 'bool') return bytes;
  throw bad(`input "${spec.name}" has dtype ${spec.dtype}, which tfjs models cannot take from binary values`);
}

function containsBinary(node: unknown): boolean {
  if (isBinary(node)) return true;
  return Array.isArray(node) && node.some(containsBinary);
}

function isBinary(node: unknown): node is { b64: unknown } {
  return isPlainObject(node) && Object.keys(node).length === 1 && 'b64' in node;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  // Typed arrays (a model call's raw tensors) are lists of numbers, not objects with keys to look through.
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** `predictions` (one row per example) or `outputs` (one value per output name). */
export function predictResponseBody(format: RestFormat, outputs: Record<string, NestedNumbers>): Record<string, unknown> {
  const names = Object.keys(outputs);
  if (format === 'columnar') return { outputs: names.length === 1 ? outputs[names[0]] : outputs };
  if (names.length === 1) return { predictions: outputs[names[0]] };
  const rows = outputs[names[0]] as NestedNumbers[];
  return { predictions: rows.map((_, i) => Object.fromEntries(names.map((n) => [n, (outputs[n] as NestedNumbers[])[i]]))) };
}
