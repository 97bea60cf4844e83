import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { bucketNameProblem, isLoadableBucketName } from './names';
import type { StoredChecksum } from './checksums';
import {
  isErrno,
  KeyedLock,
  mkdirIfAbsent,
  moveIntoPlace,
  removeTree,
  stageFile,
  type StagedFile,
  uniqueName,
  unlinkIfPresent,
  writeFileAtomic,
} from '@modelarts-local/durable';
import { KeyIndex, type ListPage, type ListQuery } from './key-index';
import { commitRecord, type FileRecord, loadRecords, recordWithFields, removeRecord } from './record-files';
import { S3Error } from './s3-error';

/**
 * The on-disk object store. Layout under the data directory:
 *
 *   staging/                             files being written; emptied at start-up
 *   buckets/<bucket>/bucket.json         the bucket exists once this directory is renamed in
 *   buckets/<bucket>/objects/<h2>/<h>.json         one object's metadata (its commit point)
 *   buckets/<bucket>/objects/<h2>/<h>.<u>.data     that object's bytes
 *
 * where <h> is the SHA-256 of the key: keys never become paths, so no key can reach outside
 * the data directory, and keys such as "a" and "a/b" coexist. An in-memory sorted index per
 * bucket, rebuilt from the metadata at start-up, serves listings.
 */

/** What a client says about an object besides its bytes. */
export interface ObjectAttributes {
  contentType: string;
  /** x-amz-meta-* headers, names lower-case without the prefix. */
  userMetadata: Record<string, string>;
  /** Standard headers stored and returned verbatim: Cache-Control, Content-Disposition, ... */
  headers: Record<string, string>;
}

export interface ObjectRecord extends FileRecord, ObjectAttributes {
  key: string;
  size: number;
  /** MD5 hex of the bytes, or `<md5 of part md5s>-<part count>` after a multipart upload. */
  etag: string;
  lastModified: string;
  /** The flexible checksum (x-amz-checksum-*) the object was stored with, if any. */
  checksum?: StoredChecksum;
  /** The parts of an object a multipart upload made, in order; absent for a single PUT. */
  parts?: ObjectPart[];
}

/** One part of a multipart object; parts are read by their position, 1-based, as S3 numbers them on reads. */
interface ObjectPart {
  size: number;
  /** base64 checksum of the part, in the algorithm of the object's checksum. */
  checksum?: string;
}

/** Runs under the key's lock with the object's current record, to refuse a write or delete (If-Match …). */
export type Precondition = (current: ObjectRecord | undefined) => void;

export interface BucketInfo {
  name: string;
  created: string;
  /** The location constraint it was created with; the server's region when none was given. */
  location?: string;
}

interface Bucket extends BucketInfo {
  dir: string;
  index: KeyIndex<ObjectRecord>;
  /** Commits under way; a bucket with any is not empty yet. */
  pendingCommits: number;
}

export class FsStore {
  readonly stagingDir: string;
  private readonly bucketsDir: string;
  private readonly buckets = new Map<string, Bucket>();
  private readonly locks = new KeyedLock();

  private constructor(readonly dataDir: string) {
    this.stagingDir = join(dataDir, 'staging');
    this.bucketsDir = join(dataDir, 'buckets');
  }

  /** Opens (or creates) a store, discarding whatever a killed process left half-written. */
  static async open(dataDir: string): Promise<FsStore> {
    const store = new FsStore(dataDir);
    await rm(store.stagingDir, { recursive: true, force: true });
    await mkdir(store.stagingDir, { recursive: true });
    await mkdir(store.bucketsDir, { recursive: true });
    for (const name of await readdir(store.bucketsDir)) {
      if (isLoadableBucketName(name)) await store.loadBucket(name);
    }
    return store;
  }

  private async loadBucket(name: string): Promise<void> {
    const dir = join(this.bucketsDir, name);
    let info: Partial<BucketInfo>;
    try {
      info = JSON.parse(await readFile(join(dir, 'bucket.json'), 'utf8')) as Partial<BucketInfo>;
    } catch {
      return; // not a bucket this store created
    }
    const records: Array<[string, ObjectRecord]> = [];
    const objectsDir = join(dir, 'objects');
    for (const fan of await readdir(objectsDir)) {
      for (const { base, record } of await loadRecords(join(objectsDir, fan), acceptObjectRecord)) {
        if (base === keyHash(record.key)) records.push([record.key, record]);
      }
    }
    const location = typeof info.location === 'string' ? info.location : undefined;
    this.buckets.set(name, { name, created: String(info.created), location, dir, index: KeyIndex.from(records), pendingCommits: 0 });
  }

  listBuckets(): BucketInfo[] {
    return [...this.buckets.values()]
      .map(({ name, created, location }) => ({ name, created, location }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  /** Throws NoSuchBucket unless the bucket exists. */
  requireBucket(name: string): BucketInfo {
    const { created, location } = this.bucket(name);
    return { name, created, location };
  }

  async createBucket(name: string, location?: string): Promise<void> {
    const problem = bucketNameProblem(name);
    if (problem) throw new S3Error('InvalidBucketName', `The specified bucket is not valid: a bucket name ${problem}.`);
    if (this.buckets.has(name)) throw alreadyOwned();
    const staged = join(this.stagingDir, uniqueName());
    const created = new Date().toISOString();
    await mkdir(join(staged, 'objects'), { recursive: true });
    await writeFileAtomic(join(staged, 'bucket.json'), JSON.stringify({ name, created, location }), this.stagingDir);
    const dir = join(this.bucketsDir, name);
    try {
      await moveIntoPlace(staged, dir);
    } catch (err) {
      await rm(staged, { recursive: true, force: true });
      throw isErrno(err, 'EEXIST', 'ENOTEMPTY') ? alreadyOwned() : err;
    }
    this.buckets.set(name, { name, created, location, dir, index: new KeyIndex(), pendingCommits: 0 });
  }

  async deleteBucket(name: string): Promise<void> {
    const bucket = this.bucket(name);
    if (bucket.index.size > 0 || bucket.pendingCommits > 0) {
      throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty.');
    }
    this.buckets.delete(name);
    await removeTree(bucket.dir, this.stagingDir);
  }

  /** Throws NoSuchKey unless the object exists. */
  getObject(bucketName: string, key: string): ObjectRecord {
    const record = this.findObject(bucketName, key);
    if (!record) throw new S3Error('NoSuchKey', 'The specified key does not exist.');
    return record;
  }

  findObject(bucketName: string, key: string): ObjectRecord | undefined {
    return this.bucket(bucketName).index.get(key);
  }

  /**
   * The object's record with its data file open. The file of a version replaced a moment
   * ago may already be gone by the time we open it; the newer version is then read.
   */
  async openObject(bucketName: string, key: string): Promise<{ record: ObjectRecord; handle: FileHandle }> {
    for (;;) {
      const record = this.getObject(bucketName, key);
      try {
        const handle = await open(join(this.objectDir(this.bucket(bucketName), key), record.dataFile), 'r');
        return { record, handle };
      } catch (err) {
        if (!isErrno(err, 'ENOENT') || this.getObject(bucketName, key) === record) throw err;
      }
    }
  }

  listObjects(bucketName: string, query: ListQuery): ListPage<ObjectRecord> {
    return this.bucket(bucketName).index.list(query);
  }

  /** Writes content to a staging file, to be committed or discarded. */
  stage(source: Readable | AsyncIterable<Buffer>): Promise<StagedFile> {
    return stageFile(source, this.stagingDir);
  }

  async discard(staged: StagedFile): Promise<void> {
    await unlinkIfPresent(staged.path);
  }

  /**
   * Makes a staged file the object's content; concurrent commits to one key apply in turn,
   * each after its precondition has accepted the record it replaces.
   */
  async commitObject(
    bucketName: string,
    key: string,
    staged: StagedFile,
    fields: Omit<ObjectRecord, 'key' | 'size' | 'lastModified' | 'dataFile'>,
    precondition: Precondition = () => undefined,
  ): Promise<ObjectRecord> {
    try {
      const bucket = this.bucket(bucketName);
      bucket.pendingCommits += 1;
      try {
        return await this.locks.run(`${bucketName}/${key}`, async () => {
          precondition(bucket.index.get(key));
          const dir = this.objectDir(bucket, key);
          await mkdirIfAbsent(dir);
          const record = await commitRecord<ObjectRecord>(
            dir,
            keyHash(key),
            staged,
            { ...fields, key, size: staged.size, lastModified: new Date().toISOString() },
            bucket.index.get(key),
            this.stagingDir,
          );
          bucket.index.set(key, record);
          return record;
        });
      } finally {
        bucket.pendingCommits -= 1;
      }
    } catch (err) {
      await this.discard(staged);
      throw err;
    }
  }

  /** Deleting a key that does not exist is not an error, as in S3; nor is it checked by the precondition. */
  async deleteObject(bucketName: string, key: string, precondition: Precondition = () => undefined): Promise<void> {
    const bucket = this.bucket(bucketName);
    await this.locks.run(`${bucketName}/${key}`, async () => {
      const record = bucket.index.get(key);
      if (!record) return;
      precondition(record);
      await removeRecord(this.objectDir(bucket, key), keyHash(key), record);
      bucket.index.delete(key);
    });
  }

  private bucket(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw noSuchBucket();
    return bucket;
  }

  private objectDir(bucket: Bucket, key: string): string {
    return join(bucket.dir, 'objects', keyHash(key).slice(0, 2));
  }
}

function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function acceptObjectRecord(doc: unknown): ObjectRecord | undefined {
  return recordWithFields<ObjectRecord>(doc, {
    key: 'string',
    size: 'number',
    etag: 'string',
    lastModified: 'string',
    contentType: 'string',
    userMetadata: 'object',
    headers: 'object',
  });
}

function noSuchBucket(): S3Error {
  return new S3Error('NoSuchBucket', 'The specified bucket does not exist.');
}

function alreadyOwned(): S3Error {
  return new S3Error('BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.');
}
