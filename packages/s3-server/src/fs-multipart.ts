import { createHash, randomBytes } from 'node:crypto';
import { type ChecksumAlgorithm, checksumOf, type ChecksumType, type RunningChecksum, runningChecksum, type StoredChecksum } from './checksums';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno, KeyedLock, moveIntoPlace, removeTree, type StagedFile, uniqueName, writeFileAtomic } from '@modelarts-local/durable';
import type { FsStore, ObjectAttributes, ObjectRecord, Precondition } from './fs-store';
import { compareKeys } from './key-index';
import { MAX_REMEMBERED_COMPLETIONS, MIN_PART_BYTES } from './limits';
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
  /** The checksum the object gets (x-amz-checksum-algorithm at creation), if any. */
  checksum?: { algorithm: ChecksumAlgorithm; type: ChecksumType };
}

export interface PartRecord extends FileRecord {
  partNumber: number;
  size: number;
  /** MD5 hex of the part's bytes. */
  etag: string;
  lastModified: string;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

interface Upload extends UploadInfo {
  dir: string;
  parts: Map<number, PartRecord>;
}

export interface RequestedPart {
  partNumber: number;
  etag: string;
  /** The part's checksum as the client lists it (`<ChecksumSHA256>` …), if it did. */
  checksum?: string;
}

export interface Completion {
  precondition: Precondition;
  /** The object checksum the client expects (x-amz-checksum-* on the complete request). */
  expectedChecksum?: string;
}

const UPLOAD_ID = /^[0-9a-f]{32}$/;

export class MultipartStore {
  private readonly uploadsDir: string;
  private readonly uploads = new Map<string, Upload>();
  /** One lock per upload: part commits, completion and abortion of an upload never interleave. */
  private readonly locks = new KeyedLock();
  /**
   * Uploads completed lately, so a client that retries a complete whose answer it lost is
   * told the upload succeeded (as S3 does) rather than NoSuchUpload. Kept in memory only.
   */
  private readonly completed = new Map<string, ObjectRecord & { bucket: string }>();

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

  async create(bucket: string, key: string, attributes: ObjectAttributes, checksum?: UploadInfo['checksum']): Promise<UploadInfo> {
    this.store.requireBucket(bucket);
    const uploadId = randomBytes(16).toString('hex');
    const info: UploadInfo = { uploadId, bucket, key, attributes, initiated: new Date().toISOString(), checksum };
    const staged = join(this.store.stagingDir, uniqueName());
    await mkdir(staged);
    await writeFileAtomic(join(staged, 'upload.json'), JSON.stringify(info), this.store.stagingDir);
    const dir = join(this.uploadsDir, info.uploadId);
    await moveIntoPlace(staged, dir);
    this.uploads.set(info.uploadId, { ...info, dir, parts: new Map() });
    return info;
  }

  /** The upload a complete names; undefined when it completed already (a retry); NoSuchUpload when neither. */
  findForCompletion(uploadId: string, bucket: string, key: string): UploadInfo | undefined {
    const done = this.completed.get(uploadId);
    if (done && done.bucket === bucket && done.key === key) return undefined;
    return this.upload(uploadId, bucket, key);
  }

  /** The upload, which must be for this bucket and key; NoSuchUpload otherwise. */
  get(uploadId: string, bucket: string, key: string): UploadInfo {
    return this.upload(uploadId, bucket, key);
  }

  async commitPart(
    uploadId: string,
    bucket: string,
    key: string,
    partNumber: number,
    content: { staged: StagedFile; md5: Buffer; checksum?: PartRecord['checksum'] },
  ): Promise<PartRecord> {
    const { staged, md5, checksum } = content;
    try {
      return await this.locks.run(uploadId, async () => {
        const upload = this.upload(uploadId, bucket, key);
        const record = await commitRecord<PartRecord>(
          upload.dir,
          `part-${partNumber}`,
          staged,
          { partNumber, size: staged.size, etag: md5.toString('hex'), lastModified: new Date().toISOString(), checksum },
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
  async complete(uploadId: string, bucket: string, key: string, requested: RequestedPart[], completion: Completion): Promise<ObjectRecord> {
    return this.locks.run(uploadId, async () => {
      const done = this.completed.get(uploadId);
      if (done && done.bucket === bucket && done.key === key) return done;
      const upload = this.upload(uploadId, bucket, key);
      const parts = this.choosePartsToJoin(upload, requested);
      const whole = upload.checksum?.type === 'FULL_OBJECT' ? runningChecksum(upload.checksum.algorithm) : undefined;
      const staged = await this.store.stage(readPartsInOrder(upload.dir, parts, whole));
      const checksum = upload.checksum && objectChecksum(upload.checksum, parts, whole);
      if (completion.expectedChecksum !== undefined && completion.expectedChecksum !== checksum?.value) {
        await this.store.discard(staged);
        throw new S3Error('BadDigest', 'The checksum you specified for the object did not match the checksum of its parts.');
      }
      const etag = createHash('md5').update(Buffer.concat(parts.map((p) => Buffer.from(p.etag, 'hex')))).digest('hex') + `-${parts.length}`;
      const objectParts = parts.map((p) => ({ size: p.size, checksum: p.checksum?.value }));
      const fields = { ...upload.attributes, etag, checksum, parts: objectParts };
      const record = await this.store.commitObject(bucket, key, staged, fields, completion.precondition);
      await this.forget(upload);
      this.remember(uploadId, { ...record, bucket });
      return record;
    });
  }

  private remember(uploadId: string, result: ObjectRecord & { bucket: string }): void {
    this.completed.set(uploadId, result);
    if (this.completed.size > MAX_REMEMBERED_COMPLETIONS) this.completed.delete(this.completed.keys().next().value as string);
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

  /**
   * The parts to join, in order. A part number listed twice (a client that re-uploaded a
   * part while the first upload was still running) names the part uploaded last, provided
   * one of the listed ETags is its.
   */
  private choosePartsToJoin(upload: Upload, requested: RequestedPart[]): PartRecord[] {
    if (requested.length === 0) throw new S3Error('MalformedXML', 'You must specify at least one part.');
    const parts: PartRecord[] = [];
    for (let i = 0; i < requested.length; ) {
      const number = requested[i].partNumber;
      if (i > 0 && number < requested[i - 1].partNumber) {
        throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
      }
      let end = i;
      while (end < requested.length && requested[end].partNumber === number) end += 1;
      const part = upload.parts.get(number);
      const listed = part && requested.slice(i, end).find((want) => normaliseEtag(want.etag) === part.etag);
      if (!part || !listed) throw new S3Error('InvalidPart', `Part ${number} could not be found or its ETag does not match.`);
      checkPartChecksum(upload, part, listed);
      parts.push(part);
      i = end;
    }
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

async function* readPartsInOrder(dir: string, parts: PartRecord[], checksum?: RunningChecksum): AsyncGenerator<Buffer> {
  for (const part of parts) {
    for await (const chunk of createReadStream(join(dir, part.dataFile))) {
      checksum?.update(chunk as Buffer);
      yield chunk as Buffer;
    }
  }
}

/** A part listed with a checksum must have the one its upload computed; the object's checksum is made of them. */
function checkPartChecksum(upload: Upload, part: PartRecord, want: RequestedPart): void {
  if (!upload.checksum) return;
  const algorithm = upload.checksum.algorithm;
  if (part.checksum?.algorithm !== algorithm || (want.checksum !== undefined && part.checksum.value !== want.checksum.trim())) {
    throw new S3Error('BadDigest', `The ${algorithm.toUpperCase()} listed for part ${part.partNumber} does not match the part's checksum.`);
  }
}

/** FULL_OBJECT: the checksum of the joined bytes; COMPOSITE: the checksum of the parts' checksums, `-<count>`. */
function objectChecksum(spec: NonNullable<UploadInfo['checksum']>, parts: PartRecord[], whole?: RunningChecksum): StoredChecksum {
  if (whole) return { ...spec, value: whole.digest().toString('base64') };
  const joined = Buffer.concat(parts.map((p) => Buffer.from(p.checksum?.value ?? '', 'base64')));
  return { ...spec, value: `${checksumOf(spec.algorithm, joined).toString('base64')}-${parts.length}` };
}

function normaliseEtag(etag: string): string {
  return etag.trim().replace(/^"|"$/g, '').toLowerCase();
}

function acceptPartRecord(doc: unknown): PartRecord | undefined {
  const record = recordWithFields<PartRecord>(doc, { partNumber: 'number', size: 'number', etag: 'string', lastModified: 'string' });
  return record && Number.isInteger(record.partNumber) ? record : undefined;
}
