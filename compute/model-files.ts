/**
 * Where the loadable form of a model in a package lives: a tfjs model.json in the
 * package itself, or the conversion made at import and kept beside the package, so
 * loading never converts again: `<package>/../converted/<same folder>/savedmodel.json`
 * for a SavedModel (`saved_model.pb`), `…/model.json` for a Keras file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONVERTED_JSON, MODEL_JSON } from './model-io';

export const SAVED_MODEL_PB = 'saved_model.pb';
export const CONVERTED_FOLDER = 'converted';
/** Names a Keras model file may have; which format it holds is told by its bytes. */
export const KERAS_FILE = /\.(h5|hdf5|keras)$/i;

/** The folder holding the conversions of the models in `modelDir` (a package's model/ folder). */
export function convertedDirFor(modelDir: string): string {
  return path.join(path.dirname(path.resolve(modelDir)), CONVERTED_FOLDER);
}

/** The file to load for the model in `modelDir/relative`, if that folder holds one. */
export function modelFileIn(modelDir: string, relative: string): string | undefined {
  const dir = path.join(modelDir, relative);
  const json = path.join(dir, MODEL_JSON);
  if (fs.existsSync(json)) return json;
  if (fs.existsSync(path.join(dir, SAVED_MODEL_PB))) return path.join(convertedDirFor(modelDir), relative, CONVERTED_JSON);
  if (kerasFilesIn(dir).length) return path.join(convertedDirFor(modelDir), relative, MODEL_JSON);
  return undefined;
}

/** The Keras model files directly in `dir`. */
export function kerasFilesIn(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && KERAS_FILE.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}
