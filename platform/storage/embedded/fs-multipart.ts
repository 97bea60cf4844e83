import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncPath, isErrno, removeTree, type StagedFile, uniqueName, writeFileAtomic } from './durable-fs';
import type { FsStore, ObjectAttributes, ObjectRecord } from './fs-store';
import { compareKeys } from './key-index';
import { KeyedLock } from './keyed-lock';
import { MIN_PART_BYTES } from './limits';
import { commitRecord, type FileRecord, loadRecords, recordWithFields } from './record-files';
import { S3Error } from './s3-error';

/**
 * Multipart uploads in progress, on disk under `uploads/<uploadId>/`: `upload.json` (the
 * target and its attributes) and one record per part (`part-<n>.json` + its data file).
 * They survive restarts, as S3's do, until completed or aborted.
 */

export interface UploadInfo {
  uploadId: string;
  bucket: string;
  key: string;
  attributes: ObjectAttributes;
  initiated: string;
}

export interface PartRecord extends FileRecord {
  partNumber: number;
  size: number;
  /** MD5 hex of the part's bytes. */
  etag: string;
  lastModified: string;
}

interface Upload extends UploadInfo {
  dir: string;
  parts: Map<number, PartRecord>;
}

export interface RequestedPart {
  partNumber: number;
  etag: string;
}

const UPLOAD_ID = /^[0-9a-f]{32}$/;

export class MultipartStore {
  private readonly uploadsDir: string;
  private readonly uploads = new Map<string, Upload>();
  /** One lock per upload: part commits, completion and abortion of an upload never interleave. */
  private readonly locks = new KeyedLock();

  private constructor(
    private readonly store: FsStore,
    private readonly maxObjectBytes: number,
  ) {
    this.uploadsDir = join(store.dataDir, 'uploads');
  }

  static async open(store: FsStore, maxObjectBytes: number): Promise<MultipartStore> {
    const multipart = new MultipartStore(store, maxObjectBytes);
    await mkdir(multipart.uploadsDir, { recursive: true });
    for (const uploadId of await readdir(multipart.uploadsDir)) {
      if (UPLOAD_ID.test(uploadId)) await multipart.loadUpload(uploadId);
    }
    return multipart;
  }

  private async loadUpload(uploadId: string): Promise<void> {
    const dir = join(this.uploadsDir, uploadId);
    let info: UploadInfo;
    try {
      info = JSON.parse(await readFile(join(dir, 'upload.json'), 'utf8')) as UploadInfo;
    } catch {
      return;
    }
    if (info.uploadId !== uploadId || !this.store.hasBucket(info.bucket)) {
      await removeTree(dir, this.store.stagingDir);
      return;
    }
    const parts = new Map<number, PartRecord>();
    for (const { record } of await loadRecords(dir, acceptPartRecord)) parts.set(record.partNumber, record);
    this.uploads.set(uploadId, { ...info, dir, parts });
  }

  async create(bucket: string, key: string, attributes: ObjectAttributes): Promise<UploadInfo> {
    this.store.requireBucket(bucket);
    const info: UploadInfo = { uploadId: randomBytes(16).toString('hex'), bucket, key, attributes, initiated: new Date().toISOString() };
    const staged = join(this.store.stagingDir, uniqueName());
    await mkdir(staged);
    await writeFileAtomic(join(staged, 'upload.json'), JSON.stringify(info), this.store.stagingDir);
    const dir = join(this.uploadsDir, info.uploadId);
    await rename(staged, dir);
    await fsyncPath(this.uploadsDir);
    this.uploads.set(info.uploadId, { ...info, dir, parts: new Map() });
    return info;
  }

  /** The upload, which must be for this bucket and key; NoSuchUpload otherwise. */
  get(uploadId: string, bucket: string, key: string): UploadInfo {
    return this.upload(uploadId, bucket, key);
  }

  async commitPart(uploadId: string, bucket: string, key: string, partNumber: number, staged: StagedFile, md5: Buffer): Promise<PartRecord> {
    try {
      return await this.locks.run(uploadId, async () => {
        const upload = this.upload(uploadId, bucket, key);
        const record = await commitRecord<PartRecord>(
          upload.dir,
          `part-${partNumber}`,
          staged,
          { partNumber, size: staged.size, etag: md5.toString('hex'), lastModified: new Date().toISOString() },
          upload.parts.get(partNumber),
          this.store.stagingDir,
        );
        upload.parts.set(partNumber, record);
        return record;
      });
    } catch (err) {
      await this.store.discard(staged);
      throw err;
    }
  }

  listParts(uploadId: string, bucket: string, key: string): PartRecord[] {
    return [...this.upload(uploadId, bucket, key).parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  }

  /** Uploads of a bucket whose key starts with `prefix`, ordered by key then initiation. */
  listUploads(bucket: string, prefix: string): UploadInfo[] {
    return [...this.uploads.values()]
      .filter((u) => u.bucket === bucket && u.key.startsWith(prefix))
      .map(({ dir: _dir, parts: _parts, ...info }) => info)
      .sort((a, b) => compareKeys(a.key, b.key) || a.initiated.localeCompare(b.initiated));
  }

  /** Joins the requested parts, in order, into the object. */
  async complete(uploadId: string, bucket: string, key: string, requested: RequestedPart[]): Promise<ObjectRecord> {
    return this.locks.run(uploadId, async () => {
      const upload = this.upload(uploadId, bucket, key);
      const parts = this.choosePartsToJoin(upload, requested);
      const staged = await this.store.stage(readPartsInOrder(upload.dir, parts));
      const etag = createHash('md5').update(Buffer.concat(parts.map((p) => Buffer.from(p.etag, 'hex')))).digest('hex') + `-${parts.length}`;
      const record = await this.store.commitObject(bucket, key, staged, { ...upload.attributes, etag });
      await this.forget(upload);
      return record;
    });
  }

  async abort(uploadId: string, bucket: string, key: string): Promise<void> {
    await this.locks.run(uploadId, async () => this.forget(this.upload(uploadId, bucket, key)));
  }

  /** Drops every upload into a bucket that is being deleted. */
  async dropBucket(bucket: string): Promise<void> {
    for (const upload of [...this.uploads.values()].filter((u) => u.bucket === bucket)) {
      await this.locks.run(upload.uploadId, async () => this.forget(upload));
    }
  }

  private choosePartsToJoin(upload: Upload, requested: RequestedPart[]): PartRecord[] {
    if (requested.length === 0) throw new S3Error('MalformedXML', 'You must specify at least one part.');
    const parts = requested.map((want, i) => {
      if (i > 0 && want.partNumber <= requested[i - 1].partNumber) {
        throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
      }
      const part = upload.parts.get(want.partNumber);
      if (!part || part.etag !== normaliseEtag(want.etag)) {
        throw new S3Error('InvalidPart', `Part ${want.partNumber} could not be found or its ETag does not match.`);
      }
      return part;
    });
    const small = parts.slice(0, -1).find((p) => p.size < MIN_PART_BYTES);
    if (small) throw new S3Error('EntityTooSmall', `Part ${small.partNumber} is smaller than the minimum allowed size of ${MIN_PART_BYTES} bytes.`);
    if (parts.reduce((sum, p) => sum + p.size, 0) > this.maxObjectBytes) {
      throw new S3Error('EntityTooLarge', `The completed object would exceed the maximum allowed size of ${this.maxObjectBytes} bytes.`);
    }
    return parts;
  }

  private upload(uploadId: string, bucket: string, key: string): Upload {
    const upload = UPLOAD_ID.test(uploadId) ? this.uploads.get(uploadId) : undefined;
    if (!upload || upload.bucket !== bucket || upload.key !== key) {
      throw new S3Error('NoSuchUpload', 'The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.');
    }
    return upload;
  }

  private async forget(upload: Upload): Promise<void> {
    this.uploads.delete(upload.uploadId);
    try {
      await removeTree(upload.dir, this.store.stagingDir);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
  }
}

async function* readPartsInOrder(dir: string, parts: PartRecord[]): AsyncGenerator<Buffer> {
  for (const part of parts) {
    for await (const chunk of createReadStream(join(dir, part.dataFile))) yield chunk as Buffer;
  }
}

function normaliseEtag(etag: string): string {
  return etag.trim().replace(/^"|"$/g, '').toLowerCase();
}

function acceptPartRecord(doc: unknown): PartRecord | undefined {
  const record = recordWithFields<PartRecord>(doc, { partNumber: 'number', size: 'number', etag: 'string', lastModified: 'string' });
  return record && Number.isInteger(record.partNumber) ? record : undefined;
}
