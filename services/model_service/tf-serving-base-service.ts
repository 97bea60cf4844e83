/**
 * ModelArts' `TfServingBaseService` for tfjs: `load()` loads the model in the model
 * folder and `_inference` feeds it `{ inputName: values }`, answering
 * `{ outputName: plain arrays }`. Hooks usually override only pre- and postprocessing.
 *
 * A package may hold several models, each in its own subfolder (`model/encoder/`,
 * `model/classifier/` …): all are loaded into `this.models` by folder name, and the hook
 * overrides `_inference` to say how they combine.
 */
import fs from 'node:fs';
import { ApiError } from '../../kernel/errors';
import { loadModelFrom, ModelFolderError, MODEL_JSON, VERSION_FOLDER } from '../../compute/model-io';
import { modelFileIn, SAVED_MODEL_PB } from '../../compute/model-files';
import type { InputValue, LoadedModel, TensorSpec } from '../../compute/loaded-model';
import { BaseService } from './base-service';
import { initRuntime } from './runtime';

export class TfServingBaseService extends BaseService {
  /** Set by `load()` when the package holds one model. */
  model?: LoadedModel;
  /** The model.json `model` came from, when the package holds one model. */
  modelFile?: string;
  /** Every model of the package by its folder name ('' for model.json in the model folder itself). */
  models: Record<string, LoadedModel> = {};

  override async load(): Promise<void> {
    const tf = await initRuntime();
    const found = findModelJsons(this.model_path);
    if (found.length > 1 && this._inference === TfServingBaseService.prototype._inference) {
      throw new ModelFolderError(
        `the model folder ${this.model_path} holds ${found.length} models (${found.map((f) => f.name).join(', ')}); ` +
          'its inference code must override _inference and run them through this.models.<folder name>.predict(…)',
      );
    }
    const models: Record<string, LoadedModel> = {};
    try {
      for (const f of found) models[f.name] = await loadModelFrom(f.file, tf);
    } catch (err) {
      for (const m of Object.values(models)) m.dispose();
      throw err;
    }
    this.dispose();
    this.models = models;
    this.model = found.length === 1 ? models[found[0].name] : undefined;
    this.modelFile = found.length === 1 ? found[0].file : undefined;
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
    for (const m of Object.values(this.models)) m.dispose();
    this.models = {};
    this.model = undefined;
  }

  private loaded(): LoadedModel {
    if (this.model) return this.model;
    const names = Object.keys(this.models);
    if (names.length) throw new Error(`the package holds several models (${names.join(', ')}); pick one from this.models`);
    throw new ApiError('predict_unavailable', `the model ${this.model_name} is not loaded yet`);
  }
}

/**

 * The models of a model folder: its own model.json; or, when every subfolder with a
 * model.json is a numbered version folder (`1/`, `2/` …, as TF Serving exports models),
 * the highest version alone; or else the model.json of each subfolder that has one
 * (some packages keep their model one level down, some keep several side by side).
 * None is an error.
 */
export function findModelJsons(modelPath: string): { name: string; file: string }[] {
  const direct = modelFileIn(modelPath, '');
  if (direct) return [{ name: '', file: direct }];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(modelPath, { withFileTypes: true });
  } catch {
    throw new ModelFolderError(`the model folder ${modelPath} cannot be read`);
  }
  const found = entries
    .filter((e) => e.isDirectory() && e.name !== 'node_modules')
    .map((e) => ({ name: e.name, file: modelFileIn(modelPath, e.name) }))
    .filter((f): f is { name: string; file: string } => f.file !== undefined)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  if (found.length === 0) throw new ModelFolderError(`the model folder ${modelPath} has no ${MODEL_JSON} or ${SAVED_MODEL_PB}`);
  const latest = latestVersion(found.map((f) => f.name));
  if (latest !== undefined) return found.filter((f) => f.name === latest);
  return found;
}


/** The highest version folder name when every name is a version number. */
function latestVersion(names: string[]): string | undefined {
  if (!names.length || !names.every((n) => VERSION_FOLDER.test(n))) return undefined;
  return names.reduce((a, b) => (Number(b) > Number(a) ? b : a));
}
