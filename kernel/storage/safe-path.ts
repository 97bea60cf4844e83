import path from 'node:path';
import { StorageError } from './storage-error';
import { keyProblem } from './obs-url';

/**
 * The local file for an object whose key, relative to the downloaded folder, is
 * `relative`. Whatever the key holds ('..', absolute paths, escapes), the result
 * is inside `root`, or the download is refused naming the key.
 */
export function localPathFor(root: string, relative: string, fullKey: string): string {
  const problem = relative === '' ? 'the key names the folder itself' : keyProblem(relative);
  const resolvedRoot = path.resolve(root);
  const target = path.resolve(resolvedRoot, relative);
  if (problem || !target.startsWith(resolvedRoot + path.sep)) {
    throw new StorageError(
      'unsafe_key',
      `object key ${JSON.stringify(fullKey)} cannot be downloaded: ${problem ?? 'it points outside the target folder'}`,
    );
  }
  return target;
}
