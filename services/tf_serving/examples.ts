/**
 * tf.Example inputs, parsed here in place of the graph's ParseExample: from TF Serving's
 * REST bodies (`examples` as JSON objects, with `context`), from gRPC's Input message,
 * or from serialized protos sent to a string input of a predict signature. Each becomes
 * the dense features the converted signature's placeholders take (`<input>/<feature>`),
 * a missing feature taking its default, as ParseExample does.
 */
import { ApiError } from '../../kernel/errors';
import { decodeTf } from '../../compute/protos/tf-protos';
import type { InputValue, ModelSignature } from '../../compute/loaded-model';

export type ExampleFeatures = Record<string, number[]>;
type ExampleSpec = NonNullable<ModelSignature['examples']>;

interface FeatureObject {
  float_list?: { value?: number[] };
  int64_list?: { value?: (string | number)[] };
  bytes_list?: { value?: unknown[] };
  floatList?: { value?: number[] };
  int64List?: { value?: (string | number)[] };
  bytesList?: { value?: unknown[] };
}

export interface ExampleObject {
  features?: { feature?: Record<string, FeatureObject> };
}

const bad = (message: string) => new ApiError('predict_bad_input', message);

/** A tf.Example message (as protobufjs decodes it, snake or camel case) → its numeric features. */
function exampleFeatures(example: ExampleObject | undefined): ExampleFeatures {
  const out: ExampleFeatures = {};
  for (const [key, f] of Object.entries(example?.features?.feature ?? {})) {
    const floats = f.float_list ?? f.floatList;
    const ints = f.int64_list ?? f.int64List;
    if (floats) out[key] = (floats.value ?? []).map(Number);
    else if (ints) out[key] = (ints.value ?? []).map(Number);
    else if (f.bytes_list ?? f.bytesList) out[key] = [];
  }
  return out;
}

/** A serialized tf.Example (a string tensor's element) → its numeric features. */
export function decodeExample(bytes: Uint8Array): ExampleFeatures {
  try {
    return exampleFeatures(decodeTf<ExampleObject>('tensorflow.Example', bytes));
  } catch (err) {
    throw bad(`a serialized tf.Example could not be parsed: ${(err as Error).message}`);
  }
}

/** TF Serving's REST form: each example an object of feature → number or list of numbers. */
export function jsonExamples(body: unknown): ExampleFeatures[] {
  const b = body as { examples?: unknown; context?: unknown } | null;
  if (!b || typeof b !== 'object' || !Array.isArray(b.examples) || !b.examples.length) throw bad('the request body needs "examples": a non-empty list of objects (feature name → value)');
  const context = b.context === undefined ? {} : jsonExample(b.context, 'context');
  return b.examples.map((e, i) => ({ ...context, ...jsonExample(e, `examples[${i}]`) }));
}

function jsonExample(value: unknown, where: string): ExampleFeatures {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad(`${where} must be an object of feature name → value`);
  const out: ExampleFeatures = {};
  for (const [key, v] of Object.entries(value)) {
    const list = Array.isArray(v) ? v : [v];
    if (!list.every((x) => typeof x === 'number')) throw bad(`${where}.${key}: only numeric features (float and int64) are parsed here`);
    out[key] = list as number[];
  }
  return out;
}

/** gRPC's Input: an ExampleList, or one with a context every example shares. */
export function inputExamples(input: { example_list?: { examples?: ExampleObject[] }; example_list_with_context?: { examples?: ExampleObject[]; context?: ExampleObject } } | undefined): ExampleFeatures[] {
  const withContext = input?.example_list_with_context;
  const list = withContext?.examples ?? input?.example_list?.examples ?? [];
  if (!list.length) throw bad('the request\'s input holds no examples');
  const context = exampleFeatures(withContext?.context);
  return list.map((e) => ({ ...context, ...exampleFeatures(e) }));
}

/** The placeholder values of a signature fed from `examples`, batched along the first dimension. */
export function feedExamples(spec: ExampleSpec, examples: ExampleFeatures[]): Record<string, InputValue> {
  const feed: Record<string, InputValue> = {};
  for (const f of spec.features) {
    const size = f.shape.reduce((a, b) => a * b, 1);
    feed[`${spec.input}/${f.key}`] = examples.map((e, i) => {
      const values = e[f.key] ?? f.default;
      if (!values) throw bad(`example ${i} has no feature "${f.key}", which the signature requires`);
      if (values.length !== size) throw bad(`feature "${f.key}" of example ${i} has ${values.length} values; the signature takes ${size} (shape [${f.shape.join(', ')}])`);
      return f.shape.length === 0 ? values[0] : values;
    });
  }
  return feed;
}
