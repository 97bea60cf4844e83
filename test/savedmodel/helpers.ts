import fs from 'node:fs/promises';
import path from 'node:path';
import { sharedFixture } from '../helpers/shared-fixtures';
import { tempDir, type TestPlatform } from '../helpers/platform';
import { uploadFolder } from '../helpers/mnist-model';
import { api } from '../helpers/http';

/** A config.json for a TensorFlow model whose API takes JSON (so no inference code is needed). */
export const TF_CONFIG = { model_type: 'TensorFlow', model_algorithm: 'predict_analysis', apis: [] as unknown[] };

/** The shared models folder (../shared/fixtures/models), or why it is absent; skips the suite when absent. */
export function useModelFixtures(suite: Mocha.Suite): () => string {
  const found = sharedFixture('models');
  if (!found.dir) {
    before(function () {
      this.skip();
    });
    suite.title += ` (skipped: ${found.absent})`;
  }
  return () => found.dir!;
}

/**
 * A package folder: `model/<inner>` holds a copy of `source` (a SavedModel folder, or a
 * file), beside config.json and any extra files.
 */
export async function packageOf(source: string, inner = '', extra: Record<string, string> = {}, config: object = TF_CONFIG): Promise<string> {
  const dir = await tempDir('savedmodel-pkg');
  const target = path.join(dir, 'model', inner);
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.cp(source, target, { recursive: true });
  await fs.writeFile(path.join(dir, 'model', 'config.json'), JSON.stringify(config));
  for (const [name, text] of Object.entries(extra)) await fs.writeFile(path.join(dir, 'model', name), text);
  return dir;
}

/** Uploads a package folder and imports it; resolves to the HTTP answer. */
export async function importPackage(t: TestPlatform, dir: string, name: string, version = '1.0.0'): Promise<{ status: number; body: any }> {
  const url = await uploadFolder(t.store, dir, `obs://savedmodels/${name}-${version}/`);
  return api(t.url, 'POST', '/models/import', { name, version, url });
}
