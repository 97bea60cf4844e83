import fsp from 'node:fs/promises';
import path from 'node:path';
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { writeFileAtomic } from '@modelarts-local/durable';
import { mapLimit } from '../util/concurrency';
import { ObjectClient } from './object-client';
import { ObsUrl, asFolder, formatObsUrl } from './obs-url';
import { localPathFor } from './safe-path';

export * from './object-client';

const TRANSFER_CONCURRENCY = 8;
const DELETE_BATCH = 1000;

export interface TransferSummary {
  files: number;
  bytes: number;
}

/** What the rest of the platform needs from object storage: objects, and whole folders moved between the store and disk. */
export class ObjectStore extends ObjectClient {
  async downloadFile(url: ObsUrl, file: string): Promise<void> {
    await fsp.mkdir(path.dirname(file), { recursive: true });
    // One attempt covers opening and reading, so a read cut short is retried whole.
    await this.call(`download ${formatObsUrl(url)}`, async () => writeFileAtomic(file, await this.openStream(url)));
  }

  /**
   * Downloads every object under `folder` into `localDir`, keeping the relative layout.
   * Keys that would land outside `localDir` stop the download before anything is written;
   * `skip` leaves out keys (given relative to the folder).
   */
  async downloadPrefix(folder: ObsUrl, localDir: string, skip?: (relativeKey: string) => boolean): Promise<TransferSummary> {
    const base = asFolder(folder);
    const objects = (await this.listAll(base)).filter((o) => !o.key.endsWith('/') && !skip?.(o.key.slice(base.key.length)));
    const targets = objects.map((o) => ({ o, file: localPathFor(localDir, o.key.slice(base.key.length), o.key) }));
    await fsp.mkdir(localDir, { recursive: true });
    await mapLimit(targets, TRANSFER_CONCURRENCY, ({ o, file }) => this.downloadFile({ bucket: base.bucket, key: o.key }, file));
    return { files: targets.length, bytes: objects.reduce((n, o) => n + o.size, 0) };
  }

  /** Uploads every file under `localDir` to `folder`, keeping the relative layout. */
  async uploadDir(localDir: string, folder: ObsUrl): Promise<TransferSummary> {
    const base = asFolder(folder);
    const files = await walkFiles(localDir);
    await mapLimit(files, TRANSFER_CONCURRENCY, (f) =>
      this.putFile({ bucket: base.bucket, key: base.key + f.relative }, f.absolute, f.size),
    );
    return { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) };
  }

  /** Copies every object under `from` to the same relative keys under `to`. */
  async copyPrefix(from: ObsUrl, to: ObsUrl): Promise<TransferSummary> {
    const src = asFolder(from);
    const dst = asFolder(to);
    const objects = await this.listAll(src);
    await mapLimit(objects, TRANSFER_CONCURRENCY, (o) =>
      this.copy({ bucket: src.bucket, key: o.key }, { bucket: dst.bucket, key: dst.key + o.key.slice(src.key.length) }),
    );
    return { files: objects.length, bytes: objects.reduce((n, o) => n + o.size, 0) };
  }

  async deletePrefix(folder: ObsUrl): Promise<number> {
    const base = asFolder(folder);
    const objects = await this.listAll(base);
    for (let i = 0; i < objects.length; i += DELETE_BATCH) {
      const batch = objects.slice(i, i + DELETE_BATCH).map((o) => ({ Key: o.key }));
      await this.call(`delete under ${formatObsUrl(base)}`, () =>
        this.client.send(new DeleteObjectsCommand({ Bucket: base.bucket, Delete: { Objects: batch, Quiet: true } })),
      );
    }
    return objects.length;
  }

}

export interface LocalFile {
  absolute: string;
  relative: string;
  size: number;
}

/** Regular files under `dir`, with '/'-separated relative paths; symlinks are not followed. */
export async function walkFiles(dir: string): Promise<LocalFile[]> {
  const out: LocalFile[] = [];
  async function walk(current: string, rel: string): Promise<void> {
    const entries = await fsp.readdir(current, { withFileTypes: true });
    for (const e of entries) {
      const abs = path.join(current, e.name);
      const relative = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(abs, relative);
      else if (e.isFile()) out.push({ absolute: abs, relative, size: (await fsp.stat(abs)).size });
    }
  }
  await walk(dir, '');
  return out.sort((a, b) => (a.relative < b.relative ? -1 : 1));
}
