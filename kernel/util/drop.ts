import { isErrno } from '@modelarts-local/durable';
import { log } from '../log';

/**
 * Lets best-effort work fail without failing its caller — a clean-up after an error, a
 * progress note racing a deletion — after saying in the platform log what failed. Use it
 * instead of `.catch(() => undefined)`, which hides the failure (the linter refuses that).
 */
export function dropLogged<T>(work: Promise<T>, what: string): Promise<T | undefined> {
  return work.then(undefined, (err: unknown) => {
    log.warn(`${what} failed; going on without it:`, err);
    return undefined;
  });
}

/** `work`'s result, or undefined when it failed because the file or folder is not there (ENOENT); other errors pass. */
export async function ifExists<T>(work: Promise<T>): Promise<T | undefined> {
  try {
    return await work;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}
