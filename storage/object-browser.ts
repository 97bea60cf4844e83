import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../kernel/errors';
import type { PlatformContext } from '../kernel/context';
import { bucketNameProblem, keyProblem, ObsUrl } from '../kernel/storage/obs-url';
import { ObjectDownload, ObjectInfo, ObjectStore } from '../kernel/storage/object-store';
import { StorageError } from '../kernel/storage/storage-error';

export const MAX_LIST_LIMIT = 1000;
const CONTENT_TYPE_RE = /^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.-]+=("[^"\\\r\n]*"|[\w.-]+))*$/;

export interface ListQuery {
  prefix?: string;
  delimiter?: string;
  limit: number;
  token?: string;
}

export interface ObjectEntry {
  key: string;
  size: number;
  last_modified?: string;
  etag?: string;
}

export interface ObjectListing {
  bucket: string;
  prefix: string;
  delimiter?: string;
  folders: string[];
  objects: ObjectEntry[];
  next_token?: string;
}

export interface UploadRequest {
  body: Readable;
  /** The declared Content-Length; undefined when the client streamed without one. */
  length?: number;
  contentType?: string;
}

/**
 * The object-storage API: buckets and objects as the console (or any HTTP client) sees
 * them, with names and keys checked like OBS URLs before the store is asked. The
 * platform's own bucket can be read but not changed here: models depend on its copies.
 */
export class ObjectBrowser {
  private readonly store: ObjectStore;

  constructor(private readonly context: PlatformContext) {
    this.store = context.store;
  }

  get maxUploadBytes(): number {
    return this.context.config.maxUploadBytes;
  }

  async buckets(): Promise<{ buckets: { name: string; created_at?: string }[] }> {
    const all = await this.storage(() => this.store.listBuckets());
    return { buckets: all.map((b) => ({ name: b.name, created_at: b.created?.toISOString() })) };
  }

  async createBucket(body: unknown): Promise<{ name: string }> {
    const { name } = this.context.schemas.parse<{ name: string }>('bucket', body);
    checkBucket(name);
    await this.storage(() => this.store.createBucket(name));
    return { name };
  }

  async deleteBucket(bucket: string): Promise<void> {
    this.writable(bucket);
    await this.storage(() => this.store.deleteBucket(bucket));
  }

  async list(bucket: string, q: ListQuery): Promise<ObjectListing> {
    checkBucket(bucket);
    const prefix = q.prefix ?? '';
    checkKey(prefix, 'prefix');
    if (q.delimiter !== undefined && q.delimiter !== '/') {
      throw new ApiError('invalid_request', 'delimiter must be "/" (folders) or left out (every key under the prefix)');
    }
    const page = await this.storage(() =>
      this.store.listPage({ bucket, key: prefix }, { delimiter: q.delimiter, maxKeys: q.limit, token: q.token }),
    );
    return {
      bucket,
      prefix,
      delimiter: q.delimiter,
      folders: page.prefixes,
      objects: page.objects.map(entry),
      next_token: page.nextToken,
    };
  }

  /** Streams the body into one object; a key ending in "/" with an empty body makes a folder. */
  async upload(bucket: string, key: string, req: UploadRequest): Promise<ObjectEntry> {
    const url = this.writable(bucket, key);
    const length = this.uploadLength(key, req.length);
    const contentType = req.contentType && CONTENT_TYPE_RE.test(req.contentType) ? req.contentType : 'application/octet-stream';
    // A client that goes away mid-body aborts the PUT, so no partial object is written.
    const abort = new AbortController();
    const meter = new PassThrough();
    const reading = pipeline(req.body, meter).catch((err: Error) => abort.abort(err));
    await this.storage(() => this.store.putStream(url, meter, length, { contentType, signal: abort.signal }));
    await reading;
    return { key, size: length };
  }

  async download(bucket: string, key: string): Promise<ObjectDownload> {
    checkBucket(bucket);
    checkObjectKey(key);
    if (key.endsWith('/')) throw new ApiError('invalid_request', `${key} names a folder; list it with GET /buckets/${bucket}/objects?prefix=${key}`);
    return this.storage(() => this.store.getObject({ bucket, key }));
  }

  /** Deletes one object, or with a key ending in "/" the folder and everything under it. */
  async delete(bucket: string, key: string): Promise<{ deleted: number }> {
    const url = this.writable(bucket, key);
    if (key.endsWith('/')) return { deleted: await this.storage(() => this.store.deletePrefix(url)) };
    if (!(await this.storage(() => this.store.head(url)))) throw new ApiError('not_found', `obs://${bucket}/${key} does not exist`);
    await this.storage(() => this.store.deleteObject(url));
    return { deleted: 1 };
  }

  private uploadLength(key: string, length: number | undefined): number {
    if (length === undefined) {
      throw new ApiError('length_required', 'send the upload with a Content-Length header (browsers and curl -T do)');
    }
    if (length > this.maxUploadBytes) {
      throw new ApiError('payload_too_large', `the object is ${length} bytes; uploads through this API take at most ${this.maxUploadBytes} bytes (MAX_UPLOAD_BYTES); use an S3 client for larger ones`);
    }
    if (key.endsWith('/') && length > 0) {
      throw new ApiError('invalid_request', `${key} ends in "/", so it names a folder, and a folder holds no bytes of its own`);
    }
    return length;
  }

  /** A location users may change: a valid key outside the platform's own bucket. */
  private writable(bucket: string, key?: string): ObsUrl {
    checkBucket(bucket);
    if (key !== undefined) checkObjectKey(key);
    if (bucket === this.context.config.obs.systemBucket) {
      throw new ApiError('read_only', `${bucket} holds the platform's copies of imported models; it is read-only here`);
    }
    return { bucket, key: key ?? '' };
  }

  private async storage<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      if (err.reason === 'not_found') throw new ApiError('not_found', err.message);
      if (err.reason === 'exists') throw new ApiError('duplicate', err.message);
      if (err.reason === 'not_empty') throw new ApiError('in_use', `${err.message}; delete its objects first`);
      throw err;
    }
  }
}

function entry(o: ObjectInfo): ObjectEntry {
  return { key: o.key, size: o.size, last_modified: o.lastModified?.toISOString(), etag: o.etag };
}

function checkBucket(bucket: string): void {
  const problem = bucketNameProblem(bucket);
  if (problem) throw new ApiError('invalid_request', problem);
}

function checkKey(key: string, what: string): void {
  const problem = keyProblem(key);
  if (problem) throw new ApiError('invalid_request', `${what} ${JSON.stringify(key)}: ${problem}`);
}

function checkObjectKey(key: string): void {
  if (!key) throw new ApiError('invalid_request', 'name the object after /objects/, such as /objects/folder/file.txt');
  checkKey(key, 'key');
}
