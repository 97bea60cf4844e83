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
import type { SignatureTensor } from '../compute/savedmodel/signature-graph';
import { tfjsDtype } from '../compute/savedmodel/tensor-values';
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
  loaded.dispose();
  // As the SavedModel declares them (the conversion of a TF1 graph takes any shape, as TensorFlow does).
  const main = converted.info.signatures[converted.info.default_signature];
  const spec = (t: SignatureTensor) => ({ name: t.key, dtype: tfjsDtype(t.dtype) ?? t.dtype, shape: t.shape && t.shape.map((d) => (d < 0 ? null : d)) });
  const signatures = Object.keys(converted.info.signatures);
  return { path: folder, format: 'savedmodel', inputs: main.inputs.map(spec), outputs: main.outputs.map(spec), default_signature: converted.info.default_signature, signatures };
}
