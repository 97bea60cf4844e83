/**
 * Classify and Regress (and Predict on a serialized tf.Example input) for signatures
 * that parse tf.Example: the examples become the features the converted graph takes,
 * and the answers take TF Serving's shapes (label/score pairs, one value per example).
 */
import { ApiError } from '../../kernel/errors';
import type { LoadedModel, NestedNumbers } from '../../compute/loaded-model';
import { feedExamples, type ExampleFeatures } from './examples';
import { signatureModel } from './signature';

export type ExampleMethod = 'classify' | 'regress';

export interface ExampleAnswer {
  signature: string;
  /** classify: each example's [label, score] pairs; regress: each example's value. */
  results: [string, number][][] | number[];
}

/** Runs `examples` through the named signature (default: the model's default one). */
export async function runExamples(root: LoadedModel, signatureName: unknown, method: ExampleMethod, examples: ExampleFeatures[]): Promise<ExampleAnswer> {
  const { name, model, signature } = await signatureModel(root, signatureName);
  if (!signature?.examples) {
    throw new ApiError('predict_bad_input', `signature "${name}" does not take tf.Example input, so it cannot ${method}; name one that parses tf.Example in signature_name, or use :predict`);
  }
  const outputs = await model.predict(feedExamples(signature.examples, examples));
  const rows = (key: string): NestedNumbers[] | undefined => (outputs[key] === undefined ? undefined : (outputs[key] as NestedNumbers[]));
  if (method === 'regress') {
    const values = rows('outputs') ?? (signature.outputs.length === 1 ? rows(signature.outputs[0].key) : undefined);
    if (!values) throw new ApiError('predict_bad_input', `signature "${name}" has no "outputs" tensor to regress with`);
    return { signature: name, results: values.map((v) => firstNumber(v)) };
  }
  const scores = rows('scores');
  if (!scores) throw new ApiError('predict_bad_input', `signature "${name}" has no "scores" tensor to classify with`);
  const classes = rows('classes') as unknown as string[][] | undefined;
  return {
    signature: name,
    results: scores.map((row, i) => (Array.isArray(row) ? row : [row]).map((score, k): [string, number] => [String(classes?.[i]?.[k] ?? ''), Number(score)])),
  };
}

function firstNumber(v: NestedNumbers): number {
  return Array.isArray(v) ? firstNumber(v[0]) : Number(v);
}
