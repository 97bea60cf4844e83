import { isErrno } from '@modelarts-local/durable';
import { log } from '../log';

/**
 * Lets best-effort work fail without failing its caller — a clean-up after an error, a
 * progress note racing a deletion — after saying in the platform log what failed. Use it
 * instead of `.catch(() => undefined)`, which hides the failure (the linter refuses that).
 */
export function dropLogged<T>(work: Promise<T>, what: string): Promise<T | undefined> {
  return work.then(undefined, (err: unknown) => logDropped(what, err));
}

/** The same for a synchronous catch that goes on without the work: says what failed, then drops it. */
export function logDropped(what: string, err: unknown): undefined {
  log.warn(`${what} failed; going on without it:`, err);
  return undefined;
}

/** `work`'s result, or undefined when it failed because the file or folder is not there (ENOENT); other errors pass. */
export function ifExists<T>(work: Promise<T>): Promise<T | undefined> {
  return ifErrno(work, ['ENOENT']);
}

/** `work`'s result, or undefined when it failed with one of the expected errnos; other errors pass. */
export async function ifErrno<T>(work: Promise<T>, errnos: readonly string[]): Promise<T | undefined> {
  try {
    return await work;
  } catch (err) {
    if (isErrno(err, ...errnos)) return undefined;
    throw err;
  }
}

/** `work()`'s result, or undefined when it threw one of the expected errnos (ENOENT by default); other errors pass. */
export function ifErrnoSync<T>(work: () => T, errnos: readonly string[] = ['ENOENT']): T | undefined {
  try {
    return work();
  } catch (err) {
    if (isErrno(err, ...errnos)) return undefined;
    throw err;
  }
}
