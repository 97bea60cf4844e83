import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@modelarts-local/durable';
import { distPath, REPO_ROOT } from '../kernel/paths';
import { ifErrno } from '../kernel/util/drop';

/**
 * The packages that user code (boot files, inference hooks) may import without
 * installing anything: `modelarts` (the job runtime library) and tfjs. They live in
 * one generated node_modules folder under the data dir; a work dir links to it, so
 * Node's own resolution finds them from CommonJS and ESM alike.
 */
const LINKED_PACKAGES = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node'];

/** Generated packages: name → compiled module each re-exports. */
const GENERATED: Record<string, Record<string, string>> = {
  modelarts: { '.': 'jobs/runtime/index.js' },
};

export async function prepareRuntimeModules(dataDir: string): Promise<string> {
  const root = path.join(dataDir, 'runtime', 'node_modules');
  await fs.mkdir(path.join(root, '@tensorflow'), { recursive: true });
  for (const name of LINKED_PACKAGES) {
    const target = path.join(REPO_ROOT, 'node_modules', name);
    if (await exists(target)) await relink(target, path.join(root, name));
  }
  for (const [name, entries] of Object.entries(GENERATED)) await writeReexportPackage(root, name, entries);
  return root;
}

/** Makes `<dir>/node_modules` point at the runtime modules. */
export async function linkRuntimeModules(dir: string, modulesDir: string): Promise<void> {
  await relink(modulesDir, path.join(dir, 'node_modules'));
}

async function writeReexportPackage(root: string, name: string, entries: Record<string, string>): Promise<void> {
  const dir = path.join(root, name);
  await fs.mkdir(dir, { recursive: true });
  const exportsMap: Record<string, string> = {};
  for (const [subpath, compiled] of Object.entries(entries)) {
    const file = subpath === '.' ? 'index.js' : `${subpath.slice(2)}.js`;
    exportsMap[subpath] = `./${file}`;
    // ESM named imports of this file work because Node follows `module.exports = require(...)`.
    await writeFileAtomic(path.join(dir, file), `module.exports = require(${JSON.stringify(distPath(compiled))});\n`);
  }
  await writeFileAtomic(path.join(dir, 'package.json'), JSON.stringify({ name, private: true, main: 'index.js', exports: exportsMap }, null, 1));
}

async function relink(target: string, link: string): Promise<void> {
  // ENOENT: missing; EINVAL: not a link. Either way it is made anew.
  if ((await ifErrno(fs.readlink(link), ['ENOENT', 'EINVAL'])) === target) return;
  await fs.rm(link, { recursive: true, force: true });
  await fs.symlink(target, link, 'dir');
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}
