/**
 * Makes `model_service/tfserving_model_service` (and `model_service`) resolve from a
 * model folder without the author installing anything: a tiny package in the folder's
 * node_modules whose files re-export our compiled module by absolute path.
 *
 * - CommonJS `require` finds it through the usual node_modules lookup.
 * - ESM `import` finds it through the package.json `exports` map (ESM adds no file
 *   extensions), and Node's CommonJS named-export detection follows the
 *   `module.exports = require(...)` re-export, so `import { TfServingBaseService }` works.
 * - Both land in the require cache entry the serving process uses, so hooks share our
 *   classes (instanceof holds) and our tfjs engine.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@modelarts-local/durable';
import { ifExists } from '../../kernel/util/drop';

const PACKAGE_NAME = 'model_service';

function modelServicePackageDir(modelDir: string): string {
  return path.join(modelDir, 'node_modules', PACKAGE_NAME);
}

/** Writes (or refreshes) the package; files already up to date are left alone. */
export async function provideModelServicePackage(modelDir: string): Promise<string> {
  const dir = modelServicePackageDir(modelDir);
  const target = require.resolve('./tfserving_model_service');
  const shim = `'use strict';\n// Provided by the platform: the serving process' own model_service module.\nmodule.exports = require(${JSON.stringify(target)});\n`;
  const manifest = {
    name: PACKAGE_NAME,
    private: true,
    description: 'Provided by ModelArts Local at deployment; not to be edited or shipped.',
    main: './index.js',
    exports: {
      '.': './index.js',
      './tfserving_model_service': './tfserving_model_service.js',
      './tfserving_model_service.js': './tfserving_model_service.js',
      './package.json': './package.json',
    },
  };
  await fs.mkdir(dir, { recursive: true });
  await writeIfChanged(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeIfChanged(path.join(dir, 'index.js'), shim);
  await writeIfChanged(path.join(dir, 'tfserving_model_service.js'), shim);
  return dir;
}

/** Compares first, and writes atomically, so instances starting side by side never read half a file. */
export async function writeIfChanged(file: string, content: string): Promise<void> {
  const current = await ifExists(fs.readFile(file, 'utf8'));
  if (current !== content) await writeFileAtomic(file, content);
}
