import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * File-system steps that survive the process being killed at any point: everything is
 * written under a temporary name in the same file system, flushed, then renamed into
 * place, so a reader sees either the old file or the complete new one.
 */

/** A file fully written and flushed under the staging directory, not yet anywhere visible. */
export interface StagedFile {
  path: string;
  size: number;
}

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

/** Writes a stream to a new staging file; on any failure the partial file is removed. */
export async function stageStream(source: Readable | AsyncIterable<Buffer>, stagingDir: string): Promise<StagedFile> {
  const path = join(stagingDir, uniqueName());
  const out = createWriteStream(path, { flags: 'wx' });
  try {
    await pipeline(source, out);
    await fsyncPath(path);
  } catch (err) {
    await unlinkIfPresent(path);
    throw err;
  }
  return { path, size: out.bytesWritten };
}

/** Replaces `target` with `data` atomically; the new content is durable once this resolves. */
export async function writeFileAtomic(target: string, data: string, stagingDir: string): Promise<void> {
  const path = join(stagingDir, uniqueName());
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(path, target);
  } catch (err) {
    await unlinkIfPresent(path);
    throw err;
  }
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
