import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { ACCESS_KEY, eventually, failureOf, listFilesDeep, MiB, REGION, sdkClient, SECRET_KEY, TestServer } from './s3-test-support';

describe('embedded S3 server: keys, durability and recovery', function () {
  let t: TestServer;
  const bucket = 'durable';

  beforeEach(async () => {
    t = await TestServer.start();
    await t.sdk.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  afterEach(async () => t.dispose());

  const put = (Key: string, Body: string | Buffer | Readable, extra: Record<string, unknown> = {}) =>
    t.sdk.send(new PutObjectCommand({ Bucket: bucket, Key, Body, ...extra }));
  const getText = async (Key: string) => (await t.sdk.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body!.transformToString();
  const listKeys = async () => (await t.sdk.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents?.map((c) => c.Key!) ?? [];
  const stagedFiles = async () => readdir(join(t.dataDir, 'staging'));

  it('stores hostile keys as plain keys and never writes outside the data directory', async () => {
    const hostile = [
      '../../escape-1.txt',
      '../escape-2.txt',
      '/abs/escape-3.txt',
      '//double-slash',
      '%2e%2e/escape-4.txt',
      '..',
      '.',
      './dot',
      'a',
      'a/b',
      'a/b/../../../escape-5.txt',
      'back\\slash\\..\\..\\escape-6.txt',
      'ünïcødé/日本語 😀.txt',
      'query?x=1&y=2#frag;semi',
      'trailing/',
      'tab\tnew\nline',
    ];
    for (const key of hostile) await put(key, `body of ${key}`);
    await t.minio.putObject(bucket, '../../minio-escape.txt', Buffer.from('via minio'));

    assert.deepEqual((await listKeys()).sort(), [...hostile, '../../minio-escape.txt'].sort());
    for (const key of hostile) assert.equal(await getText(key), `body of ${key}`, key);
    assert.equal(await getText('../../minio-escape.txt'), 'via minio');

    assert.deepEqual(await readdir(t.root), ['data']);
    assert.equal(existsSync('/abs'), false);
    // Object files are named by key hashes: no key text reaches the file system.
    for (const file of await listFilesDeep(t.dataDir)) {
      assert.match(file, /^buckets\/durable\/(bucket\.json|objects\/[0-9a-f]{2}\/[0-9a-f]{64}\.(json|[0-9a-f]{24}\.data))$/, file);
    }
  });

  it('keeps objects, metadata and unfinished multipart uploads across a restart', async () => {
    await put('kept/a.txt', 'alpha', { ContentType: 'text/plain', Metadata: { note: 'persisted' } });
    await put('kept/b.txt', 'beta');
    const { UploadId } = await t.sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'resumed.bin' }));
    const p1 = await t.sdk.send(new UploadPartCommand({ Bucket: bucket, Key: 'resumed.bin', UploadId, PartNumber: 1, Body: Buffer.alloc(5 * MiB, 1) }));

    await t.restart();

    assert.deepEqual(await listKeys(), ['kept/a.txt', 'kept/b.txt']);
    const head = await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'kept/a.txt' }));
    assert.deepEqual([head.ContentType, head.Metadata, head.ContentLength], ['text/plain', { note: 'persisted' }, 5]);
    assert.equal(await getText('kept/b.txt'), 'beta');

    const p2 = await t.sdk.send(new UploadPartCommand({ Bucket: bucket, Key: 'resumed.bin', UploadId, PartNumber: 2, Body: 'tail' }));
    const Parts = [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }];
    await t.sdk.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'resumed.bin', UploadId, MultipartUpload: { Parts } }));
    assert.equal((await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'resumed.bin' }))).ContentLength, 5 * MiB + 4);
  });

  it('resolves concurrent PUTs to one key to exactly one whole body', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(MiB + i, i + 1));
    const results = await Promise.all(bodies.map((body) => put('contended.bin', body)));
    const got = Buffer.from(await (await t.sdk.send(new GetObjectCommand({ Bucket: bucket, Key: 'contended.bin' }))).Body!.transformToByteArray());
    const winner = bodies.findIndex((b) => b.equals(got));
    assert.ok(winner >= 0, 'the stored object is one of the bodies sent, whole');
    const head = await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'contended.bin' }));
    assert.equal(head.ETag, results[winner].ETag);
    assert.equal((await listFilesDeep(t.dataDir)).filter((f) => f.endsWith('.data')).length, 1);
  });

  it('leaves neither an object nor a partial file when the client aborts a PUT mid-body', async () => {
    await put('overwritten.txt', 'original');
    const client = sdkClient(t.server.endpoint, { quiet: true });
    for (const key of ['fresh.bin', 'overwritten.txt']) {
      const body = new Readable({ read() {} });
      body.push(Buffer.alloc(MiB, 9));
      const aborter = new AbortController();
      const command = new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: 8 * MiB });
      const uploadFailure = failureOf(client.send(command, { abortSignal: aborter.signal }));
      await eventually(async () => (await stagedFiles()).length > 0, 'the server is staging the body');
      aborter.abort();
      body.destroy();
      await uploadFailure;
      await eventually(async () => (await stagedFiles()).length === 0, 'the partial upload is discarded');
    }
    client.destroy();
    assert.equal((await failureOf(t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'fresh.bin' })))).status, 404);
    assert.equal(await getText('overwritten.txt'), 'original');
    assert.deepEqual(await listKeys(), ['overwritten.txt']);
  });

  it('recovers after being killed mid-upload: no object, no partial data, committed objects intact', async () => {
    await put('committed.txt', 'safe');
    await t.close();

    const child = await startServerProcess(t.dataDir);
    const client = sdkClient(child.endpoint, { quiet: true });
    const body = new Readable({ read() {} });
    body.push(Buffer.alloc(MiB, 5));
    try {
      // Observed from the start: the upload fails while the test is still busy killing the server.
      const uploadFailure = failureOf(client.send(new PutObjectCommand({ Bucket: bucket, Key: 'cut-short.bin', Body: body, ContentLength: 16 * MiB })));
      await eventually(async () => (await sizesOf(join(t.dataDir, 'staging'))).some((size) => size > 0), 'the server is staging the body');
      await child.kill();
      await uploadFailure;
    } finally {
      await child.kill(); // never leave a server process behind, whatever failed
      client.destroy();
      body.destroy();
    }

    // Also leave what a kill between moving data in and committing its metadata would leave.
    const dataFile = (await listFilesDeep(t.dataDir)).find((f) => f.endsWith('.data'))!;
    const orphan = join(t.dataDir, dirname(dataFile), `${'0'.repeat(64)}.${'1'.repeat(24)}.data`);
    await copyFile(join(t.dataDir, dataFile), orphan);

    await t.open();
    assert.deepEqual(await stagedFiles(), []);
    assert.equal(existsSync(orphan), false);
    assert.deepEqual(await listKeys(), ['committed.txt']);
    assert.equal(await getText('committed.txt'), 'safe');
    assert.equal((await listFilesDeep(t.dataDir)).filter((f) => f.endsWith('.data')).length, 1);
  });
});

async function sizesOf(dir: string): Promise<number[]> {
  return Promise.all((await readdir(dir)).map(async (name) => (await stat(join(dir, name)).catch(() => ({ size: 0 }))).size));
}

/** Runs the server in a child process, so that it can be killed like a real deployment. */
async function startServerProcess(dataDir: string): Promise<{ endpoint: string; kill(): Promise<void> }> {
  const entry = resolve(__dirname, '../src/index.js');
  const options = { host: '127.0.0.1', port: 0, dataDir, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, region: REGION };
  const code = `require(${JSON.stringify(entry)}).startS3Server(${JSON.stringify(options)}).then((s) => console.log(s.endpoint));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const lines = createInterface({ input: child.stdout });
  const endpoint = await new Promise<string>((resolveLine, reject) => {
    lines.once('line', resolveLine);
    child.once('exit', () => reject(new Error('the server process exited before listening')));
  });
  return {
    endpoint,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
