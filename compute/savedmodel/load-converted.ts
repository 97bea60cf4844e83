/**
 * Loads a converted SavedModel (`savedmodel.json` and a tfjs graph model per signature):
 * the default signature at once, the others when first asked for, so a model exported
 * with many signatures costs memory only for those clients use.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Tf } from '../tf-module';
import type { LoadedModel, ModelSignature } from '../loaded-model';
import type { ConvertedSavedModelJson } from './converted-format';

export async function loadConvertedSavedModel(file: string, tf: Tf, loadGraph: (dir: string, tf: Tf) => Promise<LoadedModel>): Promise<LoadedModel> {
  const info = JSON.parse(await fs.promises.readFile(file, 'utf8')) as ConvertedSavedModelJson;
  const dir = path.dirname(file);
  const loaded = new Map<string, Promise<LoadedModel>>();
  const byName: Record<string, ModelSignature> = {};
  for (const [name, sig] of Object.entries(info.signatures)) {
    byName[name] = {
      method: sig.method_name,
      inputs: sig.inputs,
      outputs: sig.outputs,
      examples: sig.examples,
      load: () => {
        let model = loaded.get(name);
        if (!model) {
          model = loadGraph(path.join(dir, sig.folder), tf);
          loaded.set(name, model);
        }
        return model;
      },
    };
  }
  const main = await byName[info.default_signature].load();
  const disposeAll = () => {
    for (const model of loaded.values()) void model.then((m) => m.dispose(), () => undefined);
    loaded.clear();
  };
  return { ...main, signatures: { default: info.default_signature, byName }, dispose: disposeAll };
}
