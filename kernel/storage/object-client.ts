import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ObsUrl, asFolder, formatObsUrl } from './obs-url';
import { StorageError, toStorageError } from './storage-error';
import { putLargeFile, MULTIPART_THRESHOLD_BYTES } from './multipart';

// The SDK warns on every start that future versions will need Node 22; this release runs on 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Waits between attempts when the store cannot be reached. Every S3 call the platform
 * makes is idempotent (a PUT, GET, COPY or DELETE of a whole object), so all may be retried.
 */
export const STORE_RETRY_DELAYS_MS = [200, 400, 800, 1600, 3200];

const ignore = (): void => undefined;
const SILENT_LOGGER = { trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

export interface StoreOptions {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Waits between attempts on an unreachable store; [] turns retries off. */
  retryDelaysMs?: readonly number[];
  /** Told of every failed attempt (for the metrics): what was called, and why it failed. */
  onFailure?: (what: string, reason: string) => void;
}

export interface ObjectInfo {
  key: string;
  size: number;
  lastModified?: Date;
  etag?: string;
}

/** An object being read: its body and what a download needs to describe it. */
export interface ObjectDownload extends ObjectInfo {
  body: Readable;
  contentType?: string;
}

export interface ListPage {
  objects: ObjectInfo[];
  prefixes: string[];
  nextToken?: string;
}

/** Objects one at a time, on any S3 endpoint, with retries while the store is unreachable. */
export class ObjectClient {
  readonly client: S3Client;

  constructor(readonly options: StoreOptions) {
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: true,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      // Retries are ours (see `call`), so that streams are recreated and waits are known.
      maxAttempts: 1,
      // Failures reach callers as StorageErrors; the SDK would also print some to the console.
      logger: SILENT_LOGGER,
      // Plain bodies with a Content-Length: every S3 service understands them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  protected async call<T>(what: string, fn: () => Promise<T>, retry = true): Promise<T> {
    const delays = retry ? (this.options.retryDelaysMs ?? STORE_RETRY_DELAYS_MS) : [];
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        const failure = toStorageError(err, what);
        this.options.onFailure?.(what, failure.reason);
        if (failure.reason !== 'unavailable' || attempt >= delays.length) throw failure;
        await sleep(delays[attempt]);
      }
    }
  }

  /** Whether the store answers now, asked once without retrying. */
  async reachable(): Promise<boolean> {
    try {
      await this.client.send(new ListBucketsCommand({}));
      return true;
    } catch {
      return false;
    }
  }

  async listBuckets(): Promise<{ name: string; created?: Date }[]> {
    const out = await this.call('list buckets', () => this.client.send(new ListBucketsCommand({})));
    return (out.Buckets ?? []).map((b) => ({ name: b.Name ?? '', created: b.CreationDate }));
  }

  async bucketExists(bucket: string): Promise<boolean> {
    try {
      await this.call(`find bucket ${bucket}`, () => this.client.send(new HeadBucketCommand({ Bucket: bucket })));
      return true;
    } catch (err) {
      if (err instanceof StorageError && err.reason === 'not_found') return false;
      throw err;
    }
  }

  async ensureBucket(bucket: string): Promise<void> {
    if (await this.bucketExists(bucket)) return;
    try {
      await this.createBucket(bucket);
    } catch (err) {
      if (!(err instanceof StorageError && err.reason === 'exists')) throw err;
    }
  }

  /** Creates a bucket; a StorageError 'exists' when it is there already. */
  async createBucket(bucket: string): Promise<void> {
    await this.call(`create bucket ${bucket}`, () => this.client.send(new CreateBucketCommand({ Bucket: bucket })));
  }

  /** Deletes an empty bucket; S3 refuses a bucket that still holds objects ('not_empty'). */
  async deleteBucket(bucket: string): Promise<void> {
    await this.call(`delete bucket ${bucket}`, () => this.client.send(new DeleteBucketCommand({ Bucket: bucket })));
  }

  async head(url: ObsUrl): Promise<ObjectInfo | undefined> {
    try {
      const out = await this.call(`read ${formatObsUrl(url)}`, () =>
        this.client.send(new HeadObjectCommand({ Bucket: url.bucket, Key: url.key })),
      );
      return { key: url.key, size: out.ContentLength ?? 0, lastModified: out.LastModified, etag: out.ETag };
    } catch (err) {
      if (err instanceof StorageError && err.reason === 'not_found') return undefined;
      throw err;
    }
  }

  async listPage(folder: ObsUrl, opts: { delimiter?: string; maxKeys?: number; token?: string } = {}): Promise<ListPage> {
    const out = await this.call(`list ${formatObsUrl(folder)}`, () =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: folder.bucket,
          Prefix: folder.key || undefined,
          Delimiter: opts.delimiter,
          MaxKeys: opts.maxKeys,
          ContinuationToken: opts.token,
        }),
      ),
    );
    return {
      objects: (out.Contents ?? []).map((o) => ({ key: o.Key ?? '', size: o.Size ?? 0, lastModified: o.LastModified, etag: o.ETag })),
      prefixes: (out.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''),
      nextToken: out.IsTruncated ? out.NextContinuationToken : undefined,
    };
  }

  /** Every object under a prefix, page after page. */
  async listAll(prefix: ObsUrl): Promise<ObjectInfo[]> {
    const all: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.listPage(prefix, { token });
      all.push(...page.objects);
      token = page.nextToken;
    } while (token);
    return all;
  }

  /** True when the folder holds at least one object. */
  async folderExists(folder: ObsUrl): Promise<boolean> {
    const page = await this.listPage(asFolder(folder), { maxKeys: 1 });
    return page.objects.length > 0;
  }

  async getStream(url: ObsUrl): Promise<Readable> {
    return (await this.getObject(url)).body;
  }

  protected async openStream(url: ObsUrl): Promise<Readable> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: url.bucket, Key: url.key }));
    return out.Body as Readable;
  }

  async getObject(url: ObsUrl): Promise<ObjectDownload> {
    const out = await this.call(`read ${formatObsUrl(url)}`, () =>
      this.client.send(new GetObjectCommand({ Bucket: url.bucket, Key: url.key })),
    );
    return {
      key: url.key,
      body: out.Body as Readable,
      size: out.ContentLength ?? 0,
      lastModified: out.LastModified,
      etag: out.ETag,
      contentType: out.ContentType,
    };
  }

  /**
   * Writes a stream of exactly `length` bytes as one object. `signal` aborts the
   * request, so a writer that goes away leaves no object behind.
   */
  async putStream(url: ObsUrl, body: Readable, length: number, opts: { contentType?: string; signal?: AbortSignal } = {}): Promise<void> {
    await this.call(`write ${formatObsUrl(url)}`, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: url.bucket, Key: url.key, Body: body, ContentLength: length, ContentType: opts.contentType }),
        { abortSignal: opts.signal },
      ),
      // A stream can be sent only once.
      false,
    );
  }

  async deleteObject(url: ObsUrl): Promise<void> {
    await this.call(`delete ${formatObsUrl(url)}`, () => this.client.send(new DeleteObjectCommand({ Bucket: url.bucket, Key: url.key })));
  }

  /** Reads a small object whole; refuses objects larger than `maxBytes`. */
  async getBuffer(url: ObsUrl, maxBytes: number): Promise<Buffer> {
    const stream = await this.getStream(url);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        stream.destroy();
        throw new StorageError('too_large', `${formatObsUrl(url)} is larger than ${maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  async put(url: ObsUrl, body: Buffer | string, contentType?: string): Promise<void> {
    await this.call(`write ${formatObsUrl(url)}`, () =>
      this.client.send(new PutObjectCommand({ Bucket: url.bucket, Key: url.key, Body: body, ContentType: contentType })),
    );
  }

  async putFile(url: ObsUrl, file: string, size?: number): Promise<void> {
    const length = size ?? (await fsp.stat(file)).size;
    if (length > MULTIPART_THRESHOLD_BYTES) {
      await this.call(`write ${formatObsUrl(url)}`, () => putLargeFile(this.client, url, file, length));
      return;
    }
    await this.call(`write ${formatObsUrl(url)}`, () =>
      this.client.send(
        new PutObjectCommand({ Bucket: url.bucket, Key: url.key, Body: fs.createReadStream(file), ContentLength: length }),
      ),
    );
  }

  async copy(from: ObsUrl, to: ObsUrl): Promise<void> {
    const source = `${from.bucket}/${from.key.split('/').map(encodeURIComponent).join('/')}`;
    await this.call(`copy ${formatObsUrl(from)}`, () =>
      this.client.send(new CopyObjectCommand({ Bucket: to.bucket, Key: to.key, CopySource: source })),
    );
  }

  destroy(): void {
    this.client.destroy();
  }
}
