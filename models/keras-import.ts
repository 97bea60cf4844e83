/**
 * Keras model files in a package (`.h5`, `.hdf5`, `.keras`; the format told by the
 * bytes), converted at import to a tfjs layers model kept beside the package, and
 * loaded once as a deploy would. One Keras file per folder; a folder that also holds a
 * SavedModel or a model.json is served from that instead.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Tf } from '../compute/tf';
import { loadModelFrom, ModelFolderError } from '../compute/model-io';
import { KERAS_FILE } from '../compute/model-files';
import { convertKeras } from '../compute/keras/keras-convert';
import type { LocalFile } from '../kernel/storage/object-store';
import type { PackagedModel } from './model-record';

const folderOf = (relative: string) => (path.dirname(relative) === '.' ? '' : path.dirname(relative));

export function kerasModelFolders(files: LocalFile[], otherModels: LocalFile[], sourceLabel: string): { folder: string; file: string }[] {
  const taken = new Set(otherModels.map((f) => folderOf(f.relative)));
  const byFolder = new Map<string, string[]>();
  for (const f of files.filter((x) => KERAS_FILE.test(x.relative) && !taken.has(folderOf(x.relative)))) {
    byFolder.set(folderOf(f.relative), [...(byFolder.get(folderOf(f.relative)) ?? []), path.basename(f.relative)]);
  }
  return [...byFolder].map(([folder, names]) => {
    if (names.length > 1) throw new ModelFolderError(`${sourceLabel}${folder ? `${folder}/` : ''} holds ${names.length} Keras files (${names.join(', ')}); keep one model file per folder`);
    return { folder, file: names[0] };
  });
}

export async function convertKerasInto(dir: string, folder: string, file: string, sourceLabel: string, convertedDir: string, tf: Tf): Promise<PackagedModel> {
  const label = `${sourceLabel}${folder ? `${folder}/` : ''}${file}`;
  const outDir = path.join(convertedDir, folder);
  const { format } = await convertKeras(await fs.readFile(path.join(dir, folder, file)), label, outDir, tf);
  let loaded;
  try {
    loaded = await loadModelFrom(outDir, tf);
  } catch (err) {
    throw new ModelFolderError(`${label} was converted, but tfjs cannot load it: ${(err as Error).message}`);
  }
  loaded.dispose();
  return { path: folder, format: format === 'hdf5' ? 'keras-h5' : 'keras', file, inputs: loaded.inputs, outputs: loaded.outputs };
}
