import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * File-system steps that survive the process being killed at any point: everything is
 * written under a temporary name in the same file system, flushed, then renamed into
 * place, and the directory holding it flushed too, so a reader sees either the old file
 * or the complete new one, before and after a crash.
 */

/** A file fully written and flushed under the staging directory, not yet anywhere visible. */
export interface StagedFile {
  path: string;
  size: number;
}

/** What `writeFileAtomic` writes: text (UTF-8), bytes, or a stream of bytes. */
export type FileContent = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

export function uniqueName(): string {
  return randomBytes(12).toString('hex');
}

/** Flushes a file's content, or a directory's entries (so renames into it survive). */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `content` to a new file in `stagingDir`, flushed; on any failure the partial file is removed. */
export async function stageFile(content: FileContent, stagingDir: string, name = uniqueName()): Promise<StagedFile> {
  const path = join(stagingDir, name);
  try {
    if (typeof content === 'string' || content instanceof Uint8Array) {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { path, size: typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength };
    }
    const out = createWriteStream(path, { flags: 'wx' });
    await pipeline(content, out);
    await fsyncPath(path);
    return { path, size: out.bytesWritten };
  } catch (err) {
    await unlinkIfPresent(path);
    throw err;
  }
}

/**
 * Replaces `target` with `content` atomically; the new content is durable once this
 * resolves. The temporary file lives in `stagingDir` (same file system) or, by default,
 * beside the target as `.<name>.tmp-<unique>`.
 */
export async function writeFileAtomic(target: string, content: FileContent, stagingDir?: string): Promise<void> {
  const staged = stagingDir
    ? await stageFile(content, stagingDir)
    : await stageFile(content, dirname(target), `.${basename(target)}.tmp-${uniqueName()}`);
  try {
    await moveIntoPlace(staged.path, target);
  } catch (err) {
    await unlinkIfPresent(staged.path);
    throw err;
  }
}

/** Renames a flushed file or a finished directory to `target`, then flushes `target`'s directory. */
export async function moveIntoPlace(from: string, target: string): Promise<void> {
  await rename(from, target);
  await fsyncPath(dirname(target));
}

/** Removes a directory tree in a way a crash cannot leave half-visible: move it aside first. */
export async function removeTree(dir: string, stagingDir: string): Promise<void> {
  const aside = join(stagingDir, uniqueName());
  await rename(dir, aside);
  await rm(aside, { recursive: true, force: true });
}

export async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
}

export async function mkdirIfAbsent(path: string): Promise<void> {
  try {
    await mkdir(path);
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw err;
  }
}

export function isErrno(err: unknown, ...codes: string[]): boolean {
  return err instanceof Error && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}
