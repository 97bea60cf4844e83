/**
 * The models a service offers to TF Serving clients, by version. A package laid out
 * as TF Serving exports models (`model/1/`, `model/2/` …, each with its model.json)
 * offers each numbered folder as that version; a package with one model offers it as
 * version 1. Unless asked for a version, clients get the highest, as TF Serving does.
 */
import fs from 'node:fs';
import { ApiError } from '../../kernel/errors';
import { loadModelFrom } from '../../compute/model-io';
import { modelFileIn } from '../../compute/model-files';
import type { LoadedModel } from '../../compute/loaded-model';
import type { Tf } from '../../compute/tf';
import { VERSION_FOLDER } from '../../compute/model-io';

export interface Servable {
  version: number;
  file: string;
  model: LoadedModel;
}

interface ModelVersionFile {
  version: number;
  file: string;
}

/**
 * The model.json of each version in `modelDir`, lowest first; a string saying why
 * TF Serving's API cannot serve the package when it holds several unnumbered models.
 */
function findVersions(modelDir: string): ModelVersionFile[] | string {
  const direct = modelFileIn(modelDir, '');
  if (direct) return [{ version: 1, file: direct }];
  const folders = fs
    .readdirSync(modelDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'node_modules' && modelFileIn(modelDir, e.name) !== undefined)
    .map((e) => e.name);
  const numbered = folders.filter((name) => VERSION_FOLDER.test(name));
  if (numbered.length && numbered.length === folders.length) {
    return numbered.map((name) => ({ version: Number(name), file: modelFileIn(modelDir, name)! })).sort((a, b) => a.version - b.version);
  }
  if (folders.length === 1) return [{ version: 1, file: modelFileIn(modelDir, folders[0])! }];
  return `the package holds several models (${folders.join(', ')}) that its inference code combines; TF Serving's API serves one model, or numbered versions of one (model/1/, model/2/ …)`;
}

export class ServableSet {
  constructor(
    /** The name clients use: the service's name. */
    readonly name: string,
    private readonly servables: Servable[],
    /** Why there is nothing to serve, when there is not. */
    private readonly problem?: string,
  ) {}

  models(): LoadedModel[] {
    return this.servables.map((s) => s.model);
  }

  /** Every model served here, each replaced by what `change` makes of it (batching wraps them). */
  replaceModels(change: (model: LoadedModel) => LoadedModel): void {
    for (const s of this.servables) s.model = change(s.model);
  }

  get versions(): number[] {
    return this.servables.map((s) => s.version);
  }

  /** The asked version, or the highest; 404 when the name or version is not here. */
  get(name: string, version?: number): Servable {
    if (name !== this.name) throw new ApiError('predict_not_found', `Servable not found for request: ${version === undefined ? `Latest(${name})` : `Specific(${name}, ${version})`}; this service serves "${this.name}"`);
    if (this.problem) throw new ApiError('predict_not_found', this.problem);
    const servable = version === undefined ? this.servables[this.servables.length - 1] : this.servables.find((s) => s.version === version);
    if (!servable) throw new ApiError('predict_not_found', `Servable not found for request: Specific(${name}, ${version}); versions here: ${this.versions.join(', ')}`);
    return servable;
  }
}

/**
 * Loads every version; a model that the inference code already loaded from the same
 * file is shared rather than loaded twice (a large model would double its memory).
 */
export async function loadServables(name: string, modelDir: string, tf: Tf, loadedByHook?: { file?: string; model?: LoadedModel }): Promise<ServableSet> {
  const found = findVersions(modelDir);
  if (typeof found === 'string') return new ServableSet(name, [], found);
  const servables: Servable[] = [];
  for (const v of found) {
    const shared = loadedByHook?.model && loadedByHook.file === v.file ? loadedByHook.model : undefined;
    servables.push({ ...v, model: shared ?? (await loadModelFrom(v.file, tf)) });
  }
  return new ServableSet(name, servables);
}
