/**
 * A model's signatures in TF Serving's words: a converted SavedModel's own (names,
 * tensor names, dtypes and shapes as TensorFlow wrote them), or the one a tfjs model
 * offers (`serving_default`, method `tensorflow/serving/predict`, `DT_*` dtypes and
 * `-1` for any size). Which one a request names picks the model that runs.
 */
import { ApiError } from '../../kernel/errors';
import type { TensorSpec } from '../../compute/input-values';
import type { LoadedModel, ModelSignature, SignatureTensorInfo } from '../../compute/loaded-model';

export const DEFAULT_SIGNATURE = 'serving_default';
const PREDICT_METHOD = 'tensorflow/serving/predict';

/** tfjs dtype → TF DataType enum name and number (tensorflow/core/framework/types.proto). */
const DATA_TYPES: Record<string, { name: string; number: number }> = {
  float32: { name: 'DT_FLOAT', number: 1 },
  int32: { name: 'DT_INT32', number: 3 },
  string: { name: 'DT_STRING', number: 7 },
  bool: { name: 'DT_BOOL', number: 10 },
};

interface TensorInfoJson {
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

function tensorInfo(spec: TensorSpec): TensorInfoJson {
  return {
    dtype: dataTypeName(spec.dtype),
    tensor_shape: {
      dim: (spec.shape ?? []).map((d) => ({ size: String(d ?? -1), name: '' })),
      unknown_rank: spec.shape === null,
    },
    name: `${spec.name}:0`,
  };
}

function signatureDef(inputs: TensorSpec[], outputs: TensorSpec[]): SignatureDefJson {
  return {
    inputs: Object.fromEntries(inputs.map((s) => [s.name, tensorInfo(s)])),
    outputs: Object.fromEntries(outputs.map((s) => [s.name, tensorInfo(s)])),
    method_name: PREDICT_METHOD,
  };
}

/** An empty or absent signature name means the default one, as in TF Serving. */
function checkSignatureName(name: unknown): void {
  if (name === undefined || name === null || name === '' || name === DEFAULT_SIGNATURE) return;
  throw new ApiError('predict_bad_input', `Serving signature name: ${JSON.stringify(name)} not found in signature def; this model has only "${DEFAULT_SIGNATURE}"`);
}

/** The signature a request names (absent or empty: the default one), with its name. */
function pickSignature(model: LoadedModel, name: unknown): { name: string; signature?: ModelSignature } {
  const signatures = model.signatures;
  if (!signatures) {
    checkSignatureName(name);
    return { name: DEFAULT_SIGNATURE };
  }
  const wanted = name === undefined || name === null || name === '' ? signatures.default : String(name);
  const signature = signatures.byName[wanted];
  if (!signature) {
    throw new ApiError('predict_bad_input', `Serving signature name: ${JSON.stringify(wanted)} not found in signature def; this model has ${Object.keys(signatures.byName).map((n) => `"${n}"`).join(', ')}`);
  }
  return { name: wanted, signature };
}

/** The model that runs the named signature (the model itself for its default one). */
export async function signatureModel(model: LoadedModel, name: unknown): Promise<{ name: string; model: LoadedModel; signature?: ModelSignature }> {
  const picked = pickSignature(model, name);
  if (!picked.signature || picked.name === model.signatures?.default) return { ...picked, model };
  return { ...picked, model: await picked.signature.load() };
}

function savedTensorInfo(t: SignatureTensorInfo): TensorInfoJson {
  return {
    dtype: t.dtype,
    tensor_shape: { dim: (t.shape ?? []).map((d) => ({ size: String(d), name: '' })), unknown_rank: t.shape === null },
    name: t.tensor,
  };
}

/** Every signature of the model, as GetModelMetadata's SignatureDefMap holds them. */
export function signatureDefs(model: LoadedModel): Record<string, SignatureDefJson> {
  if (!model.signatures) return { [DEFAULT_SIGNATURE]: signatureDef(model.inputs, model.outputs) };
  return Object.fromEntries(
    Object.entries(model.signatures.byName).map(([name, sig]) => [
      name,
      {
        inputs: Object.fromEntries(sig.inputs.map((t) => [t.key, savedTensorInfo(t)])),
        outputs: Object.fromEntries(sig.outputs.map((t) => [t.key, savedTensorInfo(t)])),
        method_name: sig.method,
      },
    ]),
  );
}
