import { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Client as MinioClient } from 'minio';
import { startS3Server, type S3ServerHandle } from '../src';

export const ACCESS_KEY = 'test-access-key';
export const SECRET_KEY = 'test-secret-key-0123456789';
export const REGION = 'us-east-1';
export const MiB = 1024 * 1024;

/** A server on an ephemeral port over a fresh data directory, with both client libraries. */
export class TestServer {
  server!: S3ServerHandle;
  sdk!: S3Client;
  minio!: MinioClient;

  private constructor(
    /** Holds only `data/`; anything else appearing here escaped the data directory. */
    readonly root: string,
    readonly maxObjectBytes?: number,
  ) {}

  get dataDir(): string {
    return join(this.root, 'data');
  }

  static async start(options: { maxObjectBytes?: number } = {}): Promise<TestServer> {
    const t = new TestServer(await mkdtemp(join(tmpdir(), 's3-server-test-')), options.maxObjectBytes);
    await t.open();
    return t;
  }

  /** Starts a server over the data directory, as after a restart. */
  async open(): Promise<void> {
    this.server = await startS3Server({
      host: '127.0.0.1',
      port: 0,
      dataDir: this.dataDir,
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET_KEY,
      region: REGION,
      maxObjectBytes: this.maxObjectBytes,
    });
    this.sdk = sdkClient(this.server.endpoint);
    this.minio = new MinioClient({ endPoint: '127.0.0.1', port: this.server.port, useSSL: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
  }

  async restart(): Promise<void> {
    await this.close();
    await this.open();
  }

  async close(): Promise<void> {
    this.sdk.destroy();
    await this.server.close();
  }

  async dispose(): Promise<void> {
    await this.close();
    await rm(this.root, { recursive: true, force: true });
  }
}

/** The AWS SDK v3 as an application would configure it: default checksums, path-style. */
export function sdkClient(
  endpoint: string,
  options: { accessKeyId?: string; secretAccessKey?: string; quiet?: boolean } = {},
): S3Client {
  return new S3Client({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: options.accessKeyId ?? ACCESS_KEY, secretAccessKey: options.secretAccessKey ?? SECRET_KEY },
    // For uploads a test cuts short on purpose, the SDK's warning about them is noise.
    ...(options.quiet ? { logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } } : {}),
  });
}

/**
 * Writes `size` pseudo-random bytes (xorshift32 from `seed`) to a file a chunk at a time,
 * so large test objects are never held in memory whole. Returns the MD5 hex.
 */
export async function writeSeededFile(path: string, size: number, seed: number): Promise<string> {
  const md5 = createHash('md5');
  const handle = await open(path, 'w');
  let state = seed >>> 0 || 1;
  try {
    for (let written = 0; written < size; ) {
      const words = new Uint32Array(Math.min(MiB, size - written + 3) >>> 2 || 1);
      for (let i = 0; i < words.length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        words[i] = state >>> 0;
      }
      const chunk = Buffer.from(words.buffer).subarray(0, Math.min(words.byteLength, size - written));
      md5.update(chunk);
      await handle.write(chunk);
      written += chunk.length;
    }
  } finally {
    await handle.close();
  }
  return md5.digest('hex');
}

export async function md5OfStream(stream: Readable | AsyncIterable<Uint8Array>): Promise<string> {
  const md5 = createHash('md5');
  for await (const chunk of stream) md5.update(chunk);
  return md5.digest('hex');
}

export function md5OfFileRange(path: string, start: number, end: number): Promise<string> {
  return md5OfStream(createReadStream(path, { start, end }));
}

export function md5Hex(data: Buffer | string): string {
  return createHash('md5').update(data).digest('hex');
}

/** The S3 error code and HTTP status an SDK call failed with. */
export async function failureOf(promise: Promise<unknown>): Promise<{ code: string; status?: number; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number }; code?: string };
    return { code: e.code ?? e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the request to fail');
}

/** Every file below `dir`, as paths relative to it. */
export async function listFilesDeep(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1));
}

/** Polls until `check` holds, for conditions the server reaches asynchronously. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
