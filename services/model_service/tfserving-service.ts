/**
 * ModelArts' `TfServingBaseService` for tfjs: `load()` loads the model in the model
 * folder and `_inference` feeds it `{ inputName: values }`, answering
 * `{ outputName: plain arrays }`. Hooks usually override only pre- and postprocessing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../platform/errors';
import { loadModelFrom, ModelFolderError, MODEL_JSON } from '../../platform/compute/model-io';
import type { InputValue, LoadedModel, TensorSpec } from '../../platform/compute/loaded-model';
import { BaseService } from './base-service';
import { initRuntime } from './runtime';

export class TfServingBaseService extends BaseService {
  /** Set by `load()`. */
  model?: LoadedModel;
  /** The model.json `model` came from. */
  modelFile?: string;

  override async load(): Promise<void> {
    const tf = await initRuntime();
    const file = findModelJson(this.model_path);
    const model = await loadModelFrom(file, tf);
    this.model?.dispose();
    this.model = model;
    this.modelFile = file;
  }

  /** The model's inputs (name, dtype, shape), once loaded. */
  get inputs(): TensorSpec[] {
    return this.loaded().inputs;
  }

  get outputs(): TensorSpec[] {
    return this.loaded().outputs;
  }

  override async _inference(data: unknown): Promise<unknown> {
    return this.loaded().predict(data as Record<string, InputValue>);
  }

  override dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }

  private loaded(): LoadedModel {
    if (!this.model) throw new ApiError('predict_unavailable', `the model ${this.model_name} is not loaded yet`);
    return this.model;
  }
}

/**
 * model.json in the model folder, or in the one subfolder that has it (some packages
 * keep the model one level down), or in the highest of numbered version folders
 * (`1/`, `2/` …, as TF Serving exports models); anything else is ambiguous and refused.
 */
export function findModelJson(modelPath: string): string {
  const direct = path.join(modelPath, MODEL_JSON);
  if (fs.existsSync(direct)) return direct;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(modelPath, { withFileTypes: true });
  } catch {
    throw new ModelFolderError(`the model folder ${modelPath} cannot be read`);
  }
  const found = entries
    .filter((e) => e.isDirectory() && e.name !== 'node_modules')
    .map((e) => path.join(modelPath, e.name, MODEL_JSON))
    .filter((p) => fs.existsSync(p));
  if (found.length === 1) return found[0];
  const latest = latestVersion(found.map((p) => path.basename(path.dirname(p))));
  if (latest !== undefined) return path.join(modelPath, latest, MODEL_JSON);
  if (found.length === 0) throw new ModelFolderError(`the model folder ${modelPath} has no ${MODEL_JSON}`);
  const names = found.map((p) => path.relative(modelPath, p)).join(', ');
  throw new ModelFolderError(`the model folder ${modelPath} has several models (${names}); keep one ${MODEL_JSON}`);
}

/** A folder named as TF Serving names model versions. */
export const VERSION_FOLDER = /^\d{1,15}$/;

/** The highest version folder name when every name is a version number. */
function latestVersion(names: string[]): string | undefined {
  if (!names.length || !names.every((n) => VERSION_FOLDER.test(n))) return undefined;
  return names.reduce((a, b) => (Number(b) > Number(a) ? b : a));
}
