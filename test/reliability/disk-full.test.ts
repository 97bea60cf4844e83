import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { errorResponse, grpcErrorResponse, toApiError } from '../../kernel/http/render-error';
import { ObjectStore } from '../../kernel/storage/object-store';
import { StorageError } from '../../kernel/storage/storage-error';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { uploadCode } from '../helpers/jobs';

const run = promisify(execFile);
const MiB = 1024 * 1024;
const FS_SIZE = '40m';
const BUCKET = 'full-disk';

/** Writes to `file` until the file system holding it is full. */
async function fillUp(file: string): Promise<void> {
  const handle = await fs.open(file, 'w');
  const chunk = Buffer.alloc(MiB);
  try {
    for (;;) await handle.write(chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    await handle.close();
  }
}

/** A real ENOSPC from the kernel: /dev/full takes no byte. */
const realEnospc = () => fs.writeFile('/dev/full', 'x').then(() => assert.fail('/dev/full took a byte'), (err: NodeJS.ErrnoException) => err);

describe('a full disk', function () {
  this.timeout(120_000);

  describe('what ENOSPC and EDQUOT become', () => {
    before(function () {
      if (!existsSync('/dev/full')) this.skip(); // /dev/full is Linux's; elsewhere there is no ENOSPC to borrow without a full disk
    });

    it('is 507 with a ModelArts error body from the control plane, and RESOURCE_EXHAUSTED over gRPC', async () => {
      const res = errorResponse(await realEnospc());
      assert.equal(res.status, 507);
      assert.equal(res.body.error_code, 'ModelArts.0504');
      assert.match(res.body.error_msg, /data directory has no space left \(ENOSPC\); free some space/);
      assert.equal(grpcErrorResponse(await realEnospc()).code, 8);
    });
  });

  it('answered by an S3 service (MinIO\'s XMinioStorageFull) becomes 507 at once, without retries', async () => {
    let requests = 0;
    const minioLike = http.createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        res.writeHead(507, { 'content-type': 'application/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>XMinioStorageFull</Code><Message>Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed.</Message><Resource>/b/k</Resource><RequestId>1</RequestId></Error>',
        );
      });
    });
    await new Promise<void>((resolve) => minioLike.listen(0, '127.0.0.1', resolve));
    const store = new ObjectStore({ endpoint: `http://127.0.0.1:${(minioLike.address() as AddressInfo).port}`, accessKeyId: 'k', secretAccessKey: 'secret-key', region: 'us-east-1' });
    try {
      const err = await store.put({ bucket: 'b', key: 'k' }, Buffer.from('bytes'), 'text/plain').then(
        () => assert.fail('the put succeeded'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof StorageError);
      assert.equal(err.reason, 'full');
      assert.equal(requests, 1, 'a full store is not asked again');
      assert.equal(toApiError(err)?.status, 507);
      assert.equal(errorResponse(err).body.error_code, 'ModelArts.0504');
    } finally {
      store.destroy();
      minioLike.close();
    }
  });

  describe(`the data directory on a ${FS_SIZE} file system`, () => {
    let mountPoint = '';
    let t: TestPlatform;
    let s3: S3Client;
    const small = randomBytes(64 * 1024);
    const middle = randomBytes(10 * MiB);
    const big = randomBytes(30 * MiB);

    before(async function () {
      if (process.platform !== 'linux' || process.getuid?.() !== 0) {
        console.log('      (skipped: mounting a small tmpfs needs root on Linux; the mapping tests above still ran)');
        this.skip();
      }
      mountPoint = await tempDir('small-fs');
      try {
        await run('mount', ['-t', 'tmpfs', '-o', `size=${FS_SIZE}`, 'tmpfs', mountPoint]);
      } catch (err) {
        console.log(`      (skipped: this machine does not allow a tmpfs mount: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message})`);
        await fs.rmdir(mountPoint);
        mountPoint = '';
        this.skip();
      }
      // Degraded once less than 32 MiB are free: after the first 10 MiB object.
      t = await startTestPlatform({ MIN_FREE_BYTES: String(32 * MiB) }, mountPoint);
      const obs = t.config.obs;
      s3 = new S3Client({
        endpoint: t.platform.context.storageEndpoint,
        region: obs.region,
        forcePathStyle: true,
        credentials: { accessKeyId: obs.accessKeyId, secretAccessKey: obs.secretAccessKey },
      });
      await t.store.ensureBucket(BUCKET);
    });

    after(async () => {
      s3?.destroy();
      await t?.close();
      if (mountPoint) {
        await run('umount', [mountPoint]);
        await fs.rmdir(mountPoint);
      }
    });

    const put = (key: string, body: Buffer) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    const md5Hex = (data: Uint8Array) => createHash('md5').update(data).digest('hex');
    const md5Of = async (key: string) => md5Hex(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());

    it('says ok in /health while there is room, with the free space of the data directory', async () => {
      const health = await api(t.url, 'GET', '/health');
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'ok', JSON.stringify(health.body));
      assert.equal(health.body.disk.path, mountPoint);
      assert.equal(health.body.disk.min_free_bytes, 32 * MiB);
      assert.ok(health.body.disk.free_bytes > 32 * MiB && health.body.disk.total_bytes <= 40 * MiB, JSON.stringify(health.body.disk));
    });

    it('answers an upload that does not fit with 507 InsufficientStorage, once, and keeps the earlier objects', async () => {
      await put('small.bin', small);
      await put('middle.bin', middle);
      const failure = await put('big.bin', big).then(
        () => assert.fail('the upload succeeded'),
        (e: { name: string; message: string; $metadata: { httpStatusCode?: number; attempts?: number } }) => e,
      );
      assert.equal(failure.$metadata.httpStatusCode, 507, failure.message);
      assert.equal(failure.name, 'InsufficientStorage');
      assert.match(failure.message, /no space left \(ENOSPC\)/);
      assert.equal(failure.$metadata.attempts, 1, 'the SDK does not retry it as it retries a 500');
      assert.equal(await md5Of('small.bin'), md5Hex(small));
      assert.equal(await md5Of('middle.bin'), md5Hex(middle));
      await assert.rejects(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big.bin' })), { name: 'NoSuchKey' });
    });

    it('answers the control plane\'s upload with 507 and a ModelArts error body, and /health turns degraded', async () => {
      const res = await fetch(`${t.url}/buckets/${BUCKET}/objects/big.bin`, { method: 'PUT', body: big, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(res.status, 507);
      const body = (await res.json()) as { error_code: string; error_msg: string };
      assert.equal(body.error_code, 'ModelArts.0504');
      assert.match(body.error_msg, /out of space.*free some space, then try again/);
      const health = await api(t.url, 'GET', '/health');
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'degraded');
      assert.ok(health.body.disk.free_bytes < 32 * MiB);
      assert.match(health.body.problems.join(' '), /less than MIN_FREE_BYTES/);
    });

    it('answers a control-plane write into the full data directory with 507 and records nothing', async () => {
      await uploadCode(t.store, `obs://${BUCKET}/code/`, ['sleep-then-write.js']);
      const job = {
        name: 'on-a-full-disk',
        algorithm: { engine: 'node', code_dir: `obs://${BUCKET}/code/`, boot_file: 'sleep-then-write.js', parameters: [{ name: 'ms', value: '10' }] },
        data_url: `obs://${BUCKET}/code/`,
        train_url: `obs://${BUCKET}/out/`,
      };
      const filler = path.join(mountPoint, 'filler');
      await fillUp(filler);
      try {
        const refused = await api(t.url, 'POST', '/training-jobs', job);
        assert.equal(refused.status, 507, JSON.stringify(refused.body));
        assert.equal(refused.body.error_code, 'ModelArts.0504');
        assert.match(refused.body.error_msg, /the platform's data directory has no space left \(ENOSPC\)/);
        assert.equal((await api(t.url, 'GET', '/training-jobs')).body.total, 0);
      } finally {
        await fs.rm(filler);
      }
      assert.equal((await api(t.url, 'POST', '/training-jobs', job)).status, 201);
    });

    it('takes the upload once space is freed, and /health is ok again', async () => {
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'middle.bin' }));
      await put('big.bin', big);
      assert.equal(await md5Of('big.bin'), md5Hex(big));
      assert.equal(await md5Of('small.bin'), md5Hex(small));
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'big.bin' }));
      assert.equal((await api(t.url, 'GET', '/health')).body.status, 'ok');
    });
  });
});
