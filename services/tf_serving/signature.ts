/**
 * The one signature a tfjs model offers, in TF Serving's words: `serving_default`,
 * method `tensorflow/serving/predict`, tensors with `DT_*` dtypes and `-1` for any size.
 */
import { ApiError } from '../../kernel/errors';
import type { TensorSpec } from '../../compute/input-values';

export const DEFAULT_SIGNATURE = 'serving_default';
export const PREDICT_METHOD = 'tensorflow/serving/predict';

/** tfjs dtype → TF DataType enum name and number (tensorflow/core/framework/types.proto). */
export const DATA_TYPES: Record<string, { name: string; number: number }> = {
  float32: { name: 'DT_FLOAT', number: 1 },
  int32: { name: 'DT_INT32', number: 3 },
  string: { name: 'DT_STRING', number: 7 },
  bool: { name: 'DT_BOOL', number: 10 },
};

export interface TensorInfoJson {
  dtype: string;
  tensor_shape: { dim: { size: string; name: string }[]; unknown_rank: boolean };
  name: string;
}

export interface SignatureDefJson {
  inputs: Record<string, TensorInfoJson>;
  outputs: Record<string, TensorInfoJson>;
  method_name: string;
}

export function dataTypeName(dtype: string): string {
  return DATA_TYPES[dtype]?.name ?? 'DT_INVALID';
}

export function tensorInfo(spec: TensorSpec): TensorInfoJson {
  return {
    dtype: dataTypeName(spec.dtype),
    tensor_shape: {
      dim: (spec.shape ?? []).map((d) => ({ size: String(d ?? -1), name: '' })),
      unknown_rank: spec.shape === null,
    },
    name: `${spec.name}:0`,
  };
}

export function signatureDef(inputs: TensorSpec[], outputs: TensorSpec[]): SignatureDefJson {
  return {
    inputs: Object.fromEntries(inputs.map((s) => [s.name, tensorInfo(s)])),
    outputs: Object.fromEntries(outputs.map((s) => [s.name, tensorInfo(s)])),
    method_name: PREDICT_METHOD,
  };
}

/** An empty or absent signature name means the default one, as in TF Serving. */
export function checkSignatureName(name: unknown): void {
  if (name === undefined || name === null || name === '' || name === DEFAULT_SIGNATURE) return;
  throw new ApiError('predict_bad_input', `Serving signature name: ${JSON.stringify(name)} not found in signature def; this model has only "${DEFAULT_SIGNATURE}"`);
}
