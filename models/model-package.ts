import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ApiError, Problem } from '../kernel/errors';
import { compute } from '../compute/tf';
import { loadModelFrom, MODEL_JSON, VERSION_FOLDER } from '../compute/model-io';
import { SAVED_MODEL_PB } from '../compute/model-files';
import { convertSavedModelInto } from './savedmodel-import';
import { convertKerasInto, kerasModelFolders } from './keras-import';
import { walkFiles, LocalFile } from '../kernel/storage/object-store';
import { checkModelConfigText, ModelConfig } from './config-validator';
import type { PackagedModel } from './model-record';
import { inspectPyTorch } from './pytorch-package';

/** JavaScript first: a package that carries both runs its JavaScript hook in the instance itself. */
const HOOK_FILES = ['customize_service.js', 'customize_service.mjs', 'customize_service.ts', 'customize_service.py'];
const SUPPORTED_MODEL_TYPES = ['TensorFlow', 'PyTorch'];
const MAX_PACKAGE_BYTES = 4 * 1024 ** 3;
const MAX_MODELS_PER_PACKAGE = 16;

/** What import learned about a package, all checked before anything is recorded. */
export interface PackageInspection {
  config: ModelConfig;
  warnings: Problem[];
  hookFile?: string;
  models: PackagedModel[];
  files: { path: string; size: number }[];
  size: number;
  hash: string;
}

function invalidPackage(message: string, problems?: Problem[]): ApiError {
  return new ApiError('invalid_package', message, problems);
}

/**
 * Checks a package folder (the local copy of `<source>/model/`): config.json valid,
 * inference code present when the API needs it, model files loadable here. SavedModels
 * are converted into `convertedDir` (kept beside the package: deploys load that).
 */
export async function inspectPackage(dir: string, sourceLabel: string, convertedDir: string): Promise<PackageInspection> {
  const files = await walkFiles(dir);
  const size = files.reduce((n, f) => n + f.size, 0);
  if (size > MAX_PACKAGE_BYTES) throw invalidPackage(`${sourceLabel} holds ${size} bytes; packages may hold at most ${MAX_PACKAGE_BYTES}`);
  const configFile = files.find((f) => f.relative === 'config.json');
  if (!configFile) throw invalidPackage(`${sourceLabel}config.json does not exist; a model package needs model/config.json`);
  const check = checkModelConfigText(await fsp.readFile(configFile.absolute, 'utf8'));
  if (!check.valid || !check.config) {
    throw invalidPackage(`${sourceLabel}config.json is not valid: ${check.problems.length} problem(s); see errors`, prefixed(check.problems));
  }
  const config = check.config;
  if (!SUPPORTED_MODEL_TYPES.includes(config.model_type)) {
    throw invalidPackage(
      `model_type ${config.model_type} cannot be served here; supported: ${SUPPORTED_MODEL_TYPES.join(', ')} (TensorFlow: a TF SavedModel, a Keras .h5 or .keras file, or a tfjs model.json with weight files; PyTorch: a .pth file with customize_service.py)`,
    );
  }
  const hookFile = HOOK_FILES.find((h) => files.some((f) => f.relative === h));
  if (config.model_type === 'PyTorch') return inspectPyTorchPackage({ config, files, hookFile, sourceLabel, size, warnings: prefixed(check.warnings) });
  if (!hookFile && needsHook(config)) {
    throw invalidPackage(
      `${sourceLabel} has no customize_service.js (.mjs, .ts, or ModelArts' customize_service.py): this model's API takes multipart/form-data, and only an inference hook can turn uploaded files into model inputs. Add one whose class extends TfServingBaseService`,
    );
  }
  const models = await inspectModels(dir, files, sourceLabel, convertedDir);
  // Numbered folders (model/1/, model/2/ …) are versions of one model, as TF Serving exports them.
  const versionsOfOne = models.every((m) => VERSION_FOLDER.test(m.path));
  if (models.length > 1 && !hookFile && !versionsOfOne) {
    throw invalidPackage(
      `${sourceLabel} holds ${models.length} models (${models.map((m) => m.path || '.').join(', ')}) and no customize_service.js (.mjs, .ts) or customize_service.py: only inference code can say how they combine. Add one whose class extends TfServingBaseService and overrides _inference, using this.models.<folder name>`,
    );
  }
  return {
    config,
    warnings: prefixed(check.warnings),
    hookFile,
    models,
    files: files.map((f) => ({ path: f.relative, size: f.size })),
    size,
    hash: await contentHash(files),
  };
}

/** A PyTorch package: customize_service.py with PTServingBaseService, and the .pth file it loads. */
async function inspectPyTorchPackage(p: { config: ModelConfig; files: LocalFile[]; hookFile?: string; sourceLabel: string; size: number; warnings: Problem[] }): Promise<PackageInspection> {
  if (p.hookFile !== 'customize_service.py') {
    throw invalidPackage(
      `${p.sourceLabel} has ${p.hookFile ? p.hookFile : 'no inference code'}; a PyTorch model is served by customize_service.py, whose class extends PTServingBaseService (from model_service.pytorch_model_service import PTServingBaseService) and loads the .pth file (self.model_path) itself`,
    );
  }
  const found = await inspectPyTorch(p.files, p.sourceLabel);
  if (found.problem) throw invalidPackage(found.problem);
  return {
    config: p.config,
    warnings: [...p.warnings, ...found.warnings],
    hookFile: p.hookFile,
    models: found.models,
    files: p.files.map((f) => ({ path: f.relative, size: f.size })),
    size: p.size,
    hash: await contentHash(p.files),
  };
}

function prefixed(problems: Problem[]): Problem[] {
  return problems.map((p) => ({ ...p, path: p.path === '(root)' ? 'config.json' : `config.json: ${p.path}` }));
}

/** Files can reach a model only through a hook; JSON can go straight to the model's inputs. */
function needsHook(config: ModelConfig): boolean {
  const api = config.apis?.[0] as { request?: { 'Content-type'?: string } } | undefined;
  return api?.request?.['Content-type'] === 'multipart/form-data';
}

async function inspectModels(dir: string, files: LocalFile[], sourceLabel: string, convertedDir: string): Promise<PackagedModel[]> {
  const modelJsons = files.filter((f) => path.basename(f.relative) === MODEL_JSON);
  const savedModels = files.filter((f) => path.basename(f.relative) === SAVED_MODEL_PB);
  const kerasFolders = kerasModelFolders(files, [...modelJsons, ...savedModels], sourceLabel);
  if (!modelJsons.length && !savedModels.length && !kerasFolders.length) {
    throw invalidPackage(
      `${sourceLabel} holds no model files: put a TensorFlow SavedModel (saved_model.pb and variables/), a Keras .h5 or .keras file, or a tfjs model (model.json and its weight files) into model/`,
    );
  }
  if (modelJsons.length + savedModels.length + kerasFolders.length > MAX_MODELS_PER_PACKAGE) {
    throw invalidPackage(`${sourceLabel} holds more than ${MAX_MODELS_PER_PACKAGE} models`);
  }
  const { tf } = await compute();
  const out: PackagedModel[] = [];
  for (const f of modelJsons) {
    const folder = path.dirname(f.relative) === '.' ? '' : path.dirname(f.relative);
    let loaded;
    try {
      loaded = await loadModelFrom(path.join(dir, folder), tf);
    } catch (err) {
      // Messages name the local copy; the user knows the package by its OBS location.
      const message = (err as Error).message.split(`${path.join(dir, f.relative)}: `).join('').split(`${dir}/`).join(sourceLabel);
      throw invalidPackage(`${sourceLabel}${f.relative} cannot be loaded: ${message}`);
    }
    out.push({ path: folder, format: loaded.kind === 'graph' ? 'tfjs-graph' : 'tfjs-layers', inputs: loaded.inputs, outputs: loaded.outputs });
    loaded.dispose();
  }
  for (const f of savedModels) {
    const folder = path.dirname(f.relative) === '.' ? '' : path.dirname(f.relative);
    out.push(await convertSavedModelInto(dir, folder, sourceLabel, convertedDir, tf));
  }
  for (const k of kerasFolders) out.push(await convertKerasInto(dir, k.folder, k.file, sourceLabel, convertedDir, tf));
  return out;
}

/** sha256 over each file's path and the sha256 of its bytes, in path order. */
async function contentHash(files: LocalFile[]): Promise<string> {
  const all = crypto.createHash('sha256');
  for (const f of files) {
    const one = crypto.createHash('sha256');
    for await (const chunk of fs.createReadStream(f.absolute)) one.update(chunk as Buffer);
    all.update(`${f.relative}\0${one.digest('hex')}\n`);
  }
  return `sha256:${all.digest('hex')}`;
}
