/**
 * A loaded tfjs model behind names that clients can use: predict takes plain values
 * by input name and gives plain arrays by output name, and owns every tensor it makes.
 */
import type { GraphModel, LayersModel, Tensor, io } from '@tensorflow/tfjs';
import type { Tf } from './tf-module';
import { ApiError } from '../kernel/errors';
import { describeSpecs, toInputData, type InputData, type InputValue, type NestedNumbers, type TensorSpec } from './input-values';

export type { TensorSpec, InputValue, InputData, NestedNumbers } from './input-values';

export type ModelOfKind = { kind: 'layers'; model: LayersModel } | { kind: 'graph'; model: GraphModel };

/** One tensor of a SavedModel's signature, as TensorFlow names it (for TF Serving's metadata). */
export interface SignatureTensorInfo {
  key: string;
  /** The tensor's name in the SavedModel, e.g. "x:0". */
  tensor: string;
  /** TensorFlow's dtype (DT_INT64 stays DT_INT64 here, though tfjs computes it as int32). */
  dtype: string;
  shape: number[] | null;
}

/** A signature of a converted SavedModel: its TF description, and the model that runs it. */
export interface ModelSignature {
  method: string;
  inputs: SignatureTensorInfo[];
  outputs: SignatureTensorInfo[];
  /** Set when the signature takes serialized tf.Example protos: the features fed from them. */
  examples?: { input: string; features: { key: string; dtype: string; shape: number[]; default?: number[] }[] };
  /** The runnable model (loaded on first use for signatures other than the default). */
  load(): Promise<LoadedModel>;
}

/** Every signature of a converted SavedModel; the LoadedModel itself runs `default`. */
interface ModelSignatures {
  default: string;
  byName: Record<string, ModelSignature>;
}

export interface LoadedModel {
  kind: 'layers' | 'graph';
  model: LayersModel | GraphModel;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Runs the model on `{ inputName: values }`; resolves to `{ outputName: nested arrays }`. */
  predict(inputsByName: Record<string, InputValue>): Promise<Record<string, NestedNumbers>>;
  /** Checks `{ inputName: values }` and turns it into one buffer per input (in `inputs` order), without running anything. */
  prepare(inputsByName: Record<string, InputValue>): InputData[];
  /** Runs the model on buffers from `prepare` (or several stacked along their first dimension). */
  run(data: InputData[]): Promise<Record<string, NestedNumbers>>;
  /** A converted SavedModel's signatures, by name. */
  signatures?: ModelSignatures;
  dispose(): void;
}

export function wrapModel(tf: Tf, loaded: ModelOfKind, artifacts?: io.ModelArtifacts): LoadedModel {
  const { inputs, outputs } = loaded.kind === 'layers' ? layersSpecs(loaded.model) : graphSpecs(loaded.model, artifacts);
  const run = loaded.kind === 'layers' ? layersRunner(tf, loaded.model) : graphRunner(tf, loaded.model, outputs);
  const prepareInputs = (values: Record<string, InputValue>) => prepare(inputs, values);
  const runPrepared = (data: InputData[]) => runModel(tf, outputs, run, data);
  return {
    kind: loaded.kind,
    model: loaded.model,
    inputs,
    outputs,
    prepare: prepareInputs,
    run: runPrepared,
    predict: async (values) => runPrepared(prepareInputs(values)),
    dispose: () => loaded.model.dispose(),
  };
}

type Runner = (tensors: Tensor[]) => Promise<Tensor[]>;

function prepare(inputs: TensorSpec[], values: Record<string, InputValue>): InputData[] {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new ApiError('predict_bad_input', `the model takes an object of input name → values; it expects ${describeSpecs(inputs)}`);
  }
  const data = inputs.map((spec) => toInputData(spec, pick(values, spec, inputs), inputs));
  if (Object.keys(values).length !== inputs.length) refuseUnknown(values, inputs);
  return data;
}

async function runModel(tf: Tf, outputs: TensorSpec[], run: Runner, data: InputData[]): Promise<Record<string, NestedNumbers>> {
  const tensors = data.map((d) => tf.tensor(d.values, d.shape, d.dtype));
  try {
    const results = await run(tensors);
    try {
      const out: Record<string, NestedNumbers> = {};
      // The backends here (native, wasm, cpu) compute synchronously: reading is no wait, and a promise per output would be.
      for (const [i, spec] of outputs.entries()) out[spec.name] = results[i].arraySync() as NestedNumbers;
      return out;
    } finally {
      tf.dispose(results);
    }
  } finally {
    tf.dispose(tensors);
  }
}

function pick(values: Record<string, InputValue>, spec: TensorSpec, all: TensorSpec[]): InputValue {
  const value = Object.prototype.hasOwnProperty.call(values, spec.name) ? values[spec.name] : undefined;
  if (value === undefined) {
    throw new ApiError('predict_bad_input', `the request has no input "${spec.name}"; the model expects ${describeSpecs(all)}`);
  }
  return value;
}

function refuseUnknown(values: Record<string, InputValue>, inputs: TensorSpec[]): void {
  const known = new Set(inputs.map((s) => s.name));
  const unknown = Object.keys(values).filter((k) => !known.has(k));
  if (unknown.length) {
    throw new ApiError(
      'predict_bad_input',
      `the model has no input ${unknown.map((k) => `"${k}"`).join(', ')}; it expects ${describeSpecs(inputs)}`,
    );
  }
}

// Layers models name their inputs and outputs by layer: what the author called them.
function layersSpecs(model: LayersModel): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  const inputs = model.inputs.map((t, i) => ({
    name: model.inputNames[i] ?? t.sourceLayer?.name ?? t.name,
    dtype: t.dtype,
    shape: [...t.shape],
  }));
  const outputs = model.outputs.map((t, i) => ({
    name: model.outputNames[i] ?? t.sourceLayer?.name ?? t.name,
    dtype: t.dtype,
    shape: [...t.shape],
  }));
  return { inputs, outputs };
}

/** predict()'s own run length: a larger batch is computed that many rows at a time, which bounds its memory. */
const PREDICT_BATCH_ROWS = 32;

function layersRunner(tf: Tf, model: LayersModel): Runner {
  const outputNames = model.outputs.map((t) => t.name);
  return async (tensors) =>
    tf.tidy(() => {
      // The inputs were checked against the model's shapes (prepare): a batch that predict() would run in
      // one go anyway runs with execute(), without predict()'s second check and slicing.
      if (tensors.every((t) => t.rank >= 2 && t.shape[0] <= PREDICT_BATCH_ROWS)) return model.execute(tensors, outputNames) as Tensor[];
      const result = model.predict(tensors.length === 1 ? tensors[0] : tensors);
      return Array.isArray(result) ? result : [result];
    });
}

type GraphTensorInfo = { name: string; shape?: number[]; dtype?: string };
type SignatureEntry = { name?: string; dtype?: string; tensorShape?: { dim?: { size?: string | number }[] }; loose?: boolean };

// Graph models go by their signature keys when converted from a SavedModel, else node names.
function graphSpecs(model: GraphModel, artifacts?: io.ModelArtifacts): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  const signature = (artifacts?.signature ?? {}) as { inputs?: Record<string, SignatureEntry>; outputs?: Record<string, SignatureEntry> };
  const toSpec = (names: string[], infos: GraphTensorInfo[], sig?: Record<string, SignatureEntry>): TensorSpec[] =>
    names.map((name, i) => {
      const fromSig = sig?.[name];
      const own = normaliseShape(infos[i]?.shape);
      const spec: TensorSpec = { name, dtype: infos[i]?.dtype ?? tfDtype(fromSig?.dtype) ?? 'float32', shape: own ?? signatureShape(fromSig) };
      // A placeholder without a shape, whose signature declares one (a converted TF1 graph).
      if (!own && fromSig?.loose) spec.loose = true;
      return spec;
    });
  return {
    inputs: toSpec(model.inputNodes, model.inputs as GraphTensorInfo[], signature.inputs),
    outputs: toSpec(model.outputNodes, model.outputs as GraphTensorInfo[], signature.outputs),
  };
}

function graphRunner(tf: Tf, model: GraphModel, outputs: TensorSpec[]): Runner {
  const names = outputs.map((o) => o.name);
  let dynamic = false;
  const asList = (r: Tensor | Tensor[]) => (Array.isArray(r) ? r : [r]);
  return async (tensors) => {
    const feed = Object.fromEntries(model.inputNodes.map((name, i) => [name, tensors[i]]));
    if (!dynamic) {
      try {
        return tf.tidy(() => asList(model.execute(feed, names)));
      } catch (err) {
        // Control flow or dynamic shapes: only executeAsync can run this graph.
        if (!/executeAsync/.test(String((err as Error)?.message))) throw err;
        dynamic = true;
      }
    }
    return asList(await model.executeAsync(feed, names));
  };
}

function normaliseShape(shape: number[] | undefined): (number | null)[] | null {
  return shape ? shape.map((d) => (d < 0 ? null : d)) : null;
}

function signatureShape(entry: SignatureEntry | undefined): (number | null)[] | null {
  const dims = entry?.tensorShape?.dim;
  return dims ? dims.map((d) => (d.size === undefined || Number(d.size) < 0 ? null : Number(d.size))) : null;
}

function tfDtype(dt: string | undefined): string | undefined {
  const table: Record<string, string> = { DT_FLOAT: 'float32', DT_INT32: 'int32', DT_BOOL: 'bool', DT_STRING: 'string' };
  return dt ? table[dt] : undefined;
}
