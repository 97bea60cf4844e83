/**
 * Finds and loads a model's inference code (`customize_service.js`, `.mjs` or `.ts`)
 * and returns its one hook class. Everything that can go wrong with the file itself
 * becomes a HookError whose message carries the hook's own error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { initRuntime } from './runtime';
import { HookError } from './hook-error';
import { pickHookClass, type HookClass } from './hook-exports';
import { provideModelServicePackage } from './hook-package';
import { syntaxErrorLine, transpileHook } from './hook-typescript';

export { HookError } from './hook-error';

const HOOK_BASENAME = 'customize_service';
/** In this order: a TypeScript author may ship the compiled .js beside the .ts. */
const HOOK_EXTENSIONS = ['.js', '.mjs', '.ts'] as const;

export interface LoadedHook {
  HookClass: HookClass;
  file: string;
}

function findHookFile(modelDir: string): string | undefined {
  return HOOK_EXTENSIONS.map((ext) => path.join(modelDir, HOOK_BASENAME + ext)).find((f) => fs.existsSync(f));
}

export async function loadHook(modelDir: string): Promise<LoadedHook> {
  // The hook's `tf` export must already be the process' chosen backend when it is read.
  await initRuntime();
  const file = findHookFile(modelDir);
  if (!file) {
    const names = HOOK_EXTENSIONS.map((ext) => HOOK_BASENAME + ext).join(', ');
    throw new HookError(path.join(modelDir, HOOK_BASENAME), `the model folder has no inference code (${names})`);
  }
  await provideModelServicePackage(modelDir);
  const moduleExports = await importHook(file);
  return { HookClass: pickHookClass(moduleExports, file, path.basename(file)), file };
}

async function importHook(file: string): Promise<unknown> {
  const runFile = file.endsWith('.ts') ? await transpileHook(file) : file;
  try {
    if (file.endsWith('.mjs')) return await importFresh(runFile);
    return await requireFresh(runFile);
  } catch (err) {
    if (err instanceof HookError) throw err;
    throw new HookError(file, `${path.basename(file)} failed to load: ${describe(err)}${location(err, [file, runFile])}`);
  }
}

/** A redeploy in the same process must see the edited file, not the cached one. */
function requireFresh(file: string): unknown {
  delete require.cache[file];
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the user's hook, by its path, fresh from the cache
    return require(file);
  } catch (err) {
    // A .js hook in a "type": "module" folder is ESM.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') return importFresh(file);
    throw err;
  }
}

/** ESM has no cache to clear; a query that changes with the file makes a new module. */
async function importFresh(file: string): Promise<unknown> {
  const url = pathToFileURL(file);
  url.searchParams.set('v', String(fs.statSync(file).mtimeMs));
  return import(url.href);
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `${typeof err === 'string' ? '' : `${typeof err} `}thrown: ${String(err)}`;
}

/**
 * " (customize_service.js:12)", pointing the author at the line: from the stack, or
 * for a syntax error in an ES module (Node gives no location) from a parse of the file.
 */
function location(err: unknown, files: string[]): string {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  for (const file of files) {
    const forms = [file, pathToFileURL(file).href].map(escapeRegExp).join('|');
    const match = new RegExp(`(?:${forms})(?:\\?[^:\\s)]*)?:(\\d+)`).exec(stack);
    if (match) return ` (${path.basename(file)}:${match[1]})`;
  }
  const line = err instanceof SyntaxError ? syntaxErrorLine(files[0]) : undefined;
  return line ? ` (${path.basename(files[0])}:${line})` : '';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
