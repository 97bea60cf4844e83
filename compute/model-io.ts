/**
 * Saving and loading tfjs models on the local filesystem with pure @tensorflow/tfjs,
 * which has no `file://` handler (only tfjs-node has one, and it may be missing).
 *
 * The saved layout is the one tfjs-node's `file://` handler writes, so either side can
 * read what the other wrote: `model.json` (topology, format, weightsManifest with paths
 * relative to model.json, optional trainingConfig/signature/userDefinedMetadata) and
 * one `weights.bin`. Loading also accepts any number of shards, as
 * `tensorflowjs_converter` writes them, for Layers and Graph models alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { writeFileAtomic } from '@modelarts-local/durable';
import type { Tf } from './tf-module';
import { ApiError } from '../kernel/errors';
import { wrapModel, type LoadedModel } from './loaded-model';
import { loadConvertedSavedModel } from './savedmodel/load-converted';
import { CONVERTED_JSON } from './savedmodel/converted-format';

export { CONVERTED_JSON };

export const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';
/** A folder named as TF Serving names model versions (`1/`, `2/` …). */
export const VERSION_FOLDER = /^\d{1,15}$/;

/** What a saved or converted model.json may hold (tfjs' ModelJSON plus the initializer fields). */
type ModelJson = io.ModelJSON & { modelInitializer?: object; initializerSignature?: object };

/** A model folder that cannot be read or loaded: a problem of the model package. */
export class ModelFolderError extends ApiError {
  constructor(message: string) {
    super('invalid_package', message);
  }
}

/** An IOHandler whose `save` writes `dir/model.json` + `dir/weights.bin`. */
export function fileSaveHandler(dir: string): io.IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      const topology = artifacts.modelTopology;
      if (topology == null || topology instanceof ArrayBuffer) {
        throw new ModelFolderError('only models with a JSON topology can be saved as model.json');
      }
      await fs.promises.mkdir(dir, { recursive: true });
      const weights = joinWeightData(artifacts.weightData);
      const modelJson: ModelJson = {
        modelTopology: topology,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
      };
      if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.signature != null) modelJson.signature = artifacts.signature;
      if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      const text = JSON.stringify(modelJson);
      // Weights first: a reader that sees the new model.json must find its weights.
      await writeFileAtomic(path.join(dir, WEIGHTS_BIN), weights);
      await writeFileAtomic(path.join(dir, MODEL_JSON), text);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: Buffer.byteLength(JSON.stringify(topology)),
          weightSpecsBytes: Buffer.byteLength(JSON.stringify(artifacts.weightSpecs ?? [])),
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}

/** Saves a Layers or Graph model into `dir` (created if needed). */
export async function saveModelTo(
  model: { save(handler: io.IOHandler): Promise<io.SaveResult> },
  dir: string,
): Promise<io.SaveResult> {
  return model.save(fileSaveHandler(dir));
}

/**
 * Reads `model.json` (in `dirOrFile`, or the file itself) and every weight file it names.
 * Weight paths are relative to model.json and must stay inside its folder.
 */
export async function readModelArtifacts(dirOrFile: string): Promise<io.ModelArtifacts> {
  const jsonPath = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, MODEL_JSON);
  const dir = path.dirname(path.resolve(jsonPath));
  let text: string;
  try {
    text = await fs.promises.readFile(jsonPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFolderError(code === 'ENOENT' ? `${jsonPath} does not exist` : `${jsonPath}: ${describe(err)}`);
  }
  let json: ModelJson;
  try {
    json = JSON.parse(text) as ModelJson;
  } catch (err) {
    throw new ModelFolderError(`${jsonPath} is not valid JSON: ${describe(err)}`);
  }
  if (json === null || typeof json !== 'object' || json.modelTopology == null) {
    throw new ModelFolderError(`${jsonPath} has no "modelTopology": it is not a tfjs model.json`);
  }
  const artifacts: io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
  };
  if (json.weightsManifest != null) {
    const { specs, data } = await readWeights(json.weightsManifest, dir, jsonPath);
    artifacts.weightSpecs = specs;
    artifacts.weightData = data;
  }
  const optional = ['trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'] as const;
  for (const key of optional) {
    if (json[key] != null) (artifacts as Record<string, unknown>)[key] = json[key];
  }
  return artifacts;
}

async function readWeights(
  manifest: unknown,
  dir: string,
  jsonPath: string,
): Promise<{ specs: io.WeightsManifestEntry[]; data: ArrayBuffer }> {
  if (!Array.isArray(manifest)) throw new ModelFolderError(`${jsonPath}: "weightsManifest" must be a list of groups`);
  const specs: io.WeightsManifestEntry[] = [];
  const buffers: Buffer[] = [];
  const realDir = await fs.promises.realpath(dir);
  for (const [i, group] of manifest.entries()) {
    const g = group as Partial<io.WeightsManifestConfig[number]> | null;
    if (!g || !Array.isArray(g.paths) || !Array.isArray(g.weights)) {
      throw new ModelFolderError(`${jsonPath}: weightsManifest[${i}] needs "paths" and "weights" lists`);
    }
    for (const relative of g.paths) {
      buffers.push(await readShard(realDir, relative, jsonPath));
    }
    specs.push(...g.weights);
  }
  return { specs, data: toArrayBuffer(Buffer.concat(buffers)) };
}

/** A shard named in the manifest, refused when its path leads out of the model folder. */
async function readShard(realDir: string, relative: unknown, jsonPath: string): Promise<Buffer> {
  const name = JSON.stringify(relative);
  if (typeof relative !== 'string' || relative === '' || relative.includes('\0') || path.isAbsolute(relative)) {
    throw new ModelFolderError(`${jsonPath}: weight file ${name} must be a path relative to model.json`);
  }
  const target = path.resolve(realDir, relative);
  const escapes = (p: string) => !p.startsWith(realDir + path.sep);
  if (escapes(target)) {
    throw new ModelFolderError(`${jsonPath}: weight file ${name} points outside the model folder`);
  }
  let real: string;
  try {
    real = await fs.promises.realpath(target);
  } catch {
    throw new ModelFolderError(`${jsonPath}: weight file ${name} does not exist`);
  }
  // A symlink inside the folder may still lead elsewhere.
  if (escapes(real)) throw new ModelFolderError(`${jsonPath}: weight file ${name} points outside the model folder`);
  return fs.promises.readFile(real);
}

/** Whether a model.json describes a Graph model (converted SavedModel) rather than a Layers model. */
function isGraphModel(artifacts: io.ModelArtifacts): boolean {
  if (artifacts.format === 'graph-model') return true;
  if (artifacts.format === 'layers-model') return false;
  const topology = artifacts.modelTopology as { node?: unknown } | undefined;
  return Array.isArray(topology?.node);
}

/** Loads the model in `dir` (a folder holding model.json, the model.json itself, or a converted SavedModel's savedmodel.json). */
export async function loadModelFrom(dir: string, tf: Tf): Promise<LoadedModel> {
  if (path.basename(dir) === CONVERTED_JSON) return loadConvertedSavedModel(dir, tf, loadModelFrom);
  const artifacts = await readModelArtifacts(dir);
  const handler = tf.io.fromMemory(artifacts);
  try {
    if (isGraphModel(artifacts)) {
      return wrapModel(tf, { kind: 'graph', model: await tf.loadGraphModel(handler) }, artifacts);
    }
    return wrapModel(tf, { kind: 'layers', model: await tf.loadLayersModel(handler) }, artifacts);
  } catch (err) {
    throw new ModelFolderError(`the model in ${dir} could not be loaded: ${describe(err)}`);
  }
}

function joinWeightData(data: io.WeightData | undefined): Buffer {
  if (data == null) return Buffer.alloc(0);
  const parts = Array.isArray(data) ? data : [data];
  return Buffer.concat(parts.map((part) => Buffer.from(part)));
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  // Small Buffers share a pooled ArrayBuffer; tfjs must get exactly the weight bytes.
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
