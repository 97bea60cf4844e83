/**
 * SavedModel → tfjs graph models, one per signature, at import: no TensorFlow, no Python.
 * `convertSavedModel` reads and converts (refusing what cannot run, by name);
 * `writeConverted` stores the result as `savedmodel.json` (the signatures, as TF Serving
 * describes them) beside one `signature-<n>/model.json` + `weights.bin` per signature.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { writeFileAtomic } from '@modelarts-local/durable';
import { fileSaveHandler } from '../model-io';
import { CONVERTED_JSON, DEFAULT_SIGNATURE_KEY, type ConvertedSavedModelJson } from './converted-format';
import { ConversionError } from './conversion-error';
import { readSavedModel, SAVED_MODEL_PB } from './saved-model-file';
import { buildSignatureGraph } from './signature-graph';
import { BundleError, readBundle, type BundleTensor } from './tensor-bundle';
import { toArtifacts } from './tfjs-artifacts';
import { variableKeys } from './variable-values';

export interface ConvertedSavedModel {
  info: ConvertedSavedModelJson;
  artifacts: Map<string, io.ModelArtifacts>;
}

/** Converts the SavedModel in `dir`; `label` is how users know that folder (its obs:// URL, ending in /). */
export function convertSavedModel(dir: string, label: string): ConvertedSavedModel {
  const meta = readSavedModel(dir, label);
  const bundle = readVariables(dir, label);
  const outer = meta.graph.node ?? [];
  const functions = new Map((meta.graph.library?.function ?? []).map((f) => [f.signature.name, f]));
  const keys = variableKeys(new Map(outer.map((n) => [n.name, n])), bundle, meta.objectGraph);
  const ctx = { outer, functions, variableKeys: keys, bundle, file: `${label}${SAVED_MODEL_PB}`, checkShapes: (meta.objectGraph?.nodes?.length ?? 0) > 0 };
  const names = Object.keys(meta.signatures).sort();
  const info: ConvertedSavedModelJson = {
    format: 'savedmodel',
    tensorflow_version: meta.tensorflowVersion,
    default_signature: names.includes(DEFAULT_SIGNATURE_KEY) ? DEFAULT_SIGNATURE_KEY : names[0],
    signatures: {},
  };
  const artifacts = new Map<string, io.ModelArtifacts>();
  names.forEach((key, n) => {
    const graph = buildSignatureGraph(ctx, key, meta.signatures[key]);
    const folder = `signature-${n}`;
    info.signatures[key] = { method_name: graph.method, inputs: graph.inputs, outputs: graph.outputs, folder, examples: graph.examples };
    artifacts.set(key, toArtifacts(graph, meta.graph.versions?.producer));
  });
  return { info, artifacts };
}

function readVariables(dir: string, label: string): Map<string, BundleTensor> {
  const prefix = path.join(dir, 'variables', 'variables');
  if (!fs.existsSync(`${prefix}.index`)) return new Map();
  try {
    return readBundle(prefix);
  } catch (err) {
    if (err instanceof BundleError) throw new ConversionError(`${label}variables/${err.message}`);
    throw err;
  }
}

export async function writeConverted(converted: ConvertedSavedModel, outDir: string): Promise<void> {
  for (const [key, artifacts] of converted.artifacts) {
    await fileSaveHandler(path.join(outDir, converted.info.signatures[key].folder)).save!(artifacts);
  }
  await writeFileAtomic(path.join(outDir, CONVERTED_JSON), JSON.stringify(converted.info, null, 1));
}
