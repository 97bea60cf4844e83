/**
 * A SavedModel in a package, converted at import into the folder kept beside the
 * package, then loaded once as a deploy would load it: what cannot be served is refused
 * now, with a 400 naming the op, signature and file, never as a failed deploy later.
 */
import path from 'node:path';
import type { Tf } from '../compute/tf';
import { loadModelFrom, ModelFolderError } from '../compute/model-io';
import { CONVERTED_JSON } from '../compute/savedmodel/converted-format';
import { convertSavedModel, writeConverted } from '../compute/savedmodel/convert';
import type { PackagedModel } from './model-record';

export async function convertSavedModelInto(dir: string, folder: string, sourceLabel: string, convertedDir: string, tf: Tf): Promise<PackagedModel> {
  const label = folder ? `${sourceLabel}${folder}/` : sourceLabel;
  const converted = convertSavedModel(path.join(dir, folder), label);
  const outDir = path.join(convertedDir, folder);
  await writeConverted(converted, outDir);
  let loaded;
  try {
    loaded = await loadModelFrom(path.join(outDir, CONVERTED_JSON), tf);
  } catch (err) {
    throw new ModelFolderError(`${label}saved_model.pb was converted, but tfjs cannot load signature "${converted.info.default_signature}": ${(err as Error).message}`);
  }
  const signatures = Object.keys(converted.info.signatures);
  loaded.dispose();
  return { path: folder, format: 'savedmodel', inputs: loaded.inputs, outputs: loaded.outputs, default_signature: converted.info.default_signature, signatures };
}
