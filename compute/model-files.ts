/**
 * Where the loadable form of a model in a package lives: a tfjs model.json in the
 * package itself, or, for a SavedModel (`saved_model.pb`), the conversion made at import
 * and kept beside the package (`<package>/../converted/<same folder>/savedmodel.json`),
 * so loading never converts again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONVERTED_JSON, MODEL_JSON } from './model-io';

export const SAVED_MODEL_PB = 'saved_model.pb';
export const CONVERTED_FOLDER = 'converted';

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
  return undefined;
}
