import fs from 'node:fs';
import path from 'node:path';

/** The repository (package) root, found from this file whether run from source or dist/. */
export const REPO_ROOT = findRoot(__dirname);

function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

/** A path inside the repository (schemas/, samples/ …). */
export function repoPath(...parts: string[]): string {
  return path.join(REPO_ROOT, ...parts);
}

/** A path to compiled code inside dist/ (child process entry points). */
export function distPath(...parts: string[]): string {
  return path.join(REPO_ROOT, 'dist', ...parts);
}
