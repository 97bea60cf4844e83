/**
 * The request bodies of TF Serving's `:predict` and the Open Inference Protocol's `infer`
 * for one model, from its signature (each input's name, dtype and shape), so that a
 * service's OpenAPI document says what the model takes: rows or columns of the right
 * dimensions for TF Serving, tensors with the right name, datatype and shape for V2.
 * Without a known signature (a package of several models, or one only Python runs) the
 * bodies are described as any JSON object.
 */
import { DTYPE_RANGES } from '../../compute/input-values';
import { DEFAULT_SIGNATURE } from '../tf_serving/signature';
import { v2Datatype } from '../v2/v2-tensors';

type Schema = Record<string, unknown>;

export interface SignatureInput {
  name: string;
  dtype: string;
  /** Dimensions, null for any size; null for an unknown rank. */
  shape: (number | null)[] | null;
}

const range = (dtype: keyof typeof DTYPE_RANGES) => ({ minimum: DTYPE_RANGES[dtype][0], maximum: DTYPE_RANGES[dtype][1] });
const LEAF: Record<string, Schema> = { float32: { type: 'number', ...range('float32') }, int32: { type: 'integer', ...range('int32') }, bool: { type: 'boolean' } };

/** A value of the given dimensions: nested lists down to numbers (or booleans). */
function tensorValue(dtype: string, dims: (number | null)[] | null): Schema {
  if (dims === null) return {};
  return dims.reduceRight<Schema>((inner, d) => ({ type: 'array', items: inner, ...(d === null ? { minItems: 1 } : { minItems: d, maxItems: d }) }), LEAF[dtype] ?? {});
}

const perExample = (input: SignatureInput) => tensorValue(input.dtype, input.shape === null ? null : input.shape.slice(1));
const batchOf = (value: Schema): Schema => ({ type: 'array', minItems: 1, items: value });
const namedAll = (inputs: SignatureInput[], value: (i: SignatureInput) => Schema): Schema => ({
  type: 'object',
  required: inputs.map((i) => i.name),
  properties: Object.fromEntries(inputs.map((i) => [i.name, value(i)])),
});

/** `{"instances": [row, …]}` or `{"inputs": columns}`, one of them, as TF Serving reads them. */
export function tfServingPredictBody(inputs: SignatureInput[] | undefined): Schema {
  if (!inputs?.length) return { type: 'object' };
  const single = inputs.length === 1;
  const row = single ? perExample(inputs[0]) : namedAll(inputs, perExample);
  const columns = single ? batchOf(perExample(inputs[0])) : namedAll(inputs, (i) => batchOf(perExample(i)));
  return {
    type: 'object',
    properties: { signature_name: { enum: [DEFAULT_SIGNATURE, '', null] }, instances: batchOf(row), inputs: columns },
    oneOf: [{ required: ['instances'] }, { required: ['inputs'] }],
  };
}

/** `{"inputs": [{name, shape, datatype, data}, …]}` with every input of the model once. */
export function v2InferBody(inputs: SignatureInput[] | undefined, outputs: string[] | undefined): Schema {
  if (!inputs?.length) return { type: 'object', required: ['inputs'] };
  const tensor = (i: SignatureInput): Schema => ({
    type: 'object',
    required: ['name', 'shape', 'datatype', 'data'],
    properties: {
      name: { const: i.name },
      datatype: { const: v2Datatype(i.dtype) },
      shape: i.shape === null ? { type: 'array', items: { type: 'integer', minimum: 0 } } : { type: 'array', minItems: i.shape.length, maxItems: i.shape.length, prefixItems: i.shape.map((d) => (d === null ? { type: 'integer', minimum: 1 } : { const: d })) },
      data: { type: 'array', minItems: 1 },
      parameters: { type: 'object' },
    },
  });
  return {
    type: 'object',
    required: ['inputs'],
    properties: {
      id: { type: 'string' },
      parameters: { type: 'object' },
      inputs: { type: 'array', minItems: inputs.length, maxItems: inputs.length, items: inputs.length === 1 ? tensor(inputs[0]) : { oneOf: inputs.map(tensor) } },
      ...(outputs?.length && { outputs: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { enum: outputs } } } } }),
    },
  };
}
