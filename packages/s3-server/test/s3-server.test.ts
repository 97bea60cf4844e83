import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { strict as assert } from 'node:assert';
import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { failureOf, md5Hex, md5OfStream, MiB, sdkClient, TestServer, writeSeededFile } from './s3-test-support';

describe('embedded S3 server: buckets and objects', function () {
  let t: TestServer;
  const bucket = 'objects';

  before(async () => {
    t = await TestServer.start({ maxObjectBytes: 8 * MiB });
    await t.sdk.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(async () => t.dispose());

  const put = (Key: string, Body: string | Buffer, extra: Record<string, unknown> = {}) =>
    t.sdk.send(new PutObjectCommand({ Bucket: bucket, Key, Body, ...extra }));
  const getText = async (Key: string, extra: Record<string, unknown> = {}) =>
    (await t.sdk.send(new GetObjectCommand({ Bucket: bucket, Key, ...extra }))).Body!.transformToString();

  describe('buckets', () => {
    it('creates, heads, lists and deletes a bucket', async () => {
      await t.sdk.send(new CreateBucketCommand({ Bucket: 'life.cycle-1' }));
      await t.sdk.send(new HeadBucketCommand({ Bucket: 'life.cycle-1' }));
      const listed = await t.sdk.send(new ListBucketsCommand({}));
      assert.deepEqual(listed.Buckets?.map((b) => b.Name), ['life.cycle-1', bucket]);
      assert.ok(listed.Buckets?.every((b) => b.CreationDate instanceof Date));
      assert.equal(await t.minio.bucketExists('life.cycle-1'), true);
      await t.sdk.send(new DeleteBucketCommand({ Bucket: 'life.cycle-1' }));
      assert.equal((await failureOf(t.sdk.send(new HeadBucketCommand({ Bucket: 'life.cycle-1' })))).status, 404);
      assert.equal(await t.minio.bucketExists('life.cycle-1'), false);
    });

    it('keeps the location a CreateBucketConfiguration names, and minio can make buckets', async () => {
      await t.sdk.send(new CreateBucketCommand({ Bucket: 'configured', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      assert.equal((await t.sdk.send(new GetBucketLocationCommand({ Bucket: 'configured' }))).LocationConstraint, 'eu-west-1');
      assert.equal((await t.sdk.send(new HeadBucketCommand({ Bucket: 'configured' }))).BucketRegion, 'eu-west-1');
      assert.equal((await t.sdk.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint, undefined, 'us-east-1 is reported empty');
      await t.minio.makeBucket('made-by-minio');
      assert.deepEqual((await t.minio.listBuckets()).map((b) => b.name).sort(), ['configured', 'made-by-minio', bucket]);
      await t.minio.removeBucket('made-by-minio');
      await t.sdk.send(new DeleteBucketCommand({ Bucket: 'configured' }));
    });

    it('rejects bucket names that break the naming rules with InvalidBucketName', async () => {
      for (const name of ['ab', 'Upper-case', '192.168.1.10', '-leading', 'trailing-', 'two..dots', 'x'.repeat(64), 'under_score']) {
        const failure = await failureOf(t.sdk.send(new CreateBucketCommand({ Bucket: name })));
        assert.deepEqual([failure.code, failure.status], ['InvalidBucketName', 400], name);
      }
    });

    it('answers BucketAlreadyOwnedByYou when a bucket is created twice', async () => {
      const failure = await failureOf(t.sdk.send(new CreateBucketCommand({ Bucket: bucket })));
      assert.deepEqual([failure.code, failure.status], ['BucketAlreadyOwnedByYou', 409]);
    });

    it('refuses to delete a bucket that still holds objects with BucketNotEmpty', async () => {
      await t.sdk.send(new CreateBucketCommand({ Bucket: 'not-empty' }));
      await t.sdk.send(new PutObjectCommand({ Bucket: 'not-empty', Key: 'k', Body: 'v' }));
      const failure = await failureOf(t.sdk.send(new DeleteBucketCommand({ Bucket: 'not-empty' })));
      assert.deepEqual([failure.code, failure.status], ['BucketNotEmpty', 409]);
      await t.sdk.send(new DeleteObjectCommand({ Bucket: 'not-empty', Key: 'k' }));
      await t.sdk.send(new DeleteBucketCommand({ Bucket: 'not-empty' }));
    });

    it('answers NoSuchBucket for objects in a bucket that does not exist', async () => {
      const failure = await failureOf(t.sdk.send(new PutObjectCommand({ Bucket: 'missing-bucket', Key: 'k', Body: 'v' })));
      assert.deepEqual([failure.code, failure.status], ['NoSuchBucket', 404]);
    });
  });

  describe('objects', () => {
    it('returns an object with its content type, standard headers and user metadata', async () => {
      const put1 = await put('docs/readme.txt', 'hello, world', {
        ContentType: 'text/plain; charset=utf-8',
        CacheControl: 'max-age=60',
        ContentDisposition: 'attachment; filename="readme.txt"',
        Metadata: { owner: 'alice', purpose: 'test' },
      });
      assert.equal(put1.ETag, `"${md5Hex('hello, world')}"`);
      const got = await t.sdk.send(new GetObjectCommand({ Bucket: bucket, Key: 'docs/readme.txt' }));
      assert.equal(await got.Body!.transformToString(), 'hello, world');
      assert.equal(got.ContentType, 'text/plain; charset=utf-8');
      assert.equal(got.CacheControl, 'max-age=60');
      assert.equal(got.ContentDisposition, 'attachment; filename="readme.txt"');
      assert.deepEqual(got.Metadata, { owner: 'alice', purpose: 'test' });
      assert.equal(got.ContentLength, 12);
      assert.ok(got.LastModified instanceof Date);
      const head = await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'docs/readme.txt' }));
      assert.deepEqual([head.ContentLength, head.ETag], [12, put1.ETag]);
      const stat = await t.minio.statObject(bucket, 'docs/readme.txt');
      assert.deepEqual([stat.size, stat.etag, stat.metaData.owner], [12, md5Hex('hello, world'), 'alice']);
    });

    it('stores a streamed PutObject body, sent aws-chunked with a trailing checksum, byte for byte', async () => {
      const file = join(t.root, 'streamed.bin');
      const md5 = await writeSeededFile(file, 3 * MiB + 17, 7);
      const result = await t.sdk.send(new PutObjectCommand({ Bucket: bucket, Key: 'streamed.bin', Body: createReadStream(file) }));
      assert.equal(result.ETag, `"${md5}"`);
      const got = await t.sdk.send(new GetObjectCommand({ Bucket: bucket, Key: 'streamed.bin' }));
      assert.equal(got.ContentLength, 3 * MiB + 17);
      assert.equal(await md5OfStream(got.Body as NodeJS.ReadableStream as never), md5);
      assert.equal(await md5OfStream(await t.minio.getObject(bucket, 'streamed.bin')), md5);
    });

    it('serves byte ranges with 206 and Content-Range, and answers 416 when none is satisfiable', async () => {
      await put('range.txt', '0123456789abcdefghij');
      const ranged = await t.sdk.send(new GetObjectCommand({ Bucket: bucket, Key: 'range.txt', Range: 'bytes=2-5' }));
      assert.equal(await ranged.Body!.transformToString(), '2345');
      assert.equal(ranged.ContentRange, 'bytes 2-5/20');
      assert.equal(ranged.$metadata.httpStatusCode, 206);
      assert.equal(await getText('range.txt', { Range: 'bytes=15-' }), 'fghij');
      assert.equal(await getText('range.txt', { Range: 'bytes=-3' }), 'hij');
      assert.equal(await getText('range.txt', { Range: 'bytes=18-100' }), 'ij');
      const failure = await failureOf(getText('range.txt', { Range: 'bytes=20-' }));
      assert.deepEqual([failure.code, failure.status], ['InvalidRange', 416]);
      const partial = await t.minio.getPartialObject(bucket, 'range.txt', 10, 3);
      assert.equal((await partial.toArray()).join(''), 'abc');
    });

    it('answers If-None-Match with 304 and a failed If-Match with 412', async () => {
      const { ETag } = await put('conditional.txt', 'v1');
      assert.equal(await getText('conditional.txt', { IfMatch: ETag }), 'v1');
      assert.equal((await failureOf(getText('conditional.txt', { IfNoneMatch: ETag }))).status, 304);
      const failure = await failureOf(getText('conditional.txt', { IfMatch: '"0123"' }));
      assert.deepEqual([failure.code, failure.status], ['PreconditionFailed', 412]);
    });

    it('copies an object, keeping its metadata by default or replacing it on request', async () => {
      await put('copy/source.txt', 'copy me', { ContentType: 'text/plain', Metadata: { origin: 'source' } });
      const kept = await t.sdk.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy/kept.txt', CopySource: `${bucket}/copy/source.txt` }));
      assert.equal(kept.CopyObjectResult?.ETag, `"${md5Hex('copy me')}"`);
      const keptHead = await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy/kept.txt' }));
      assert.deepEqual([keptHead.ContentType, keptHead.Metadata], ['text/plain', { origin: 'source' }]);
      await t.sdk.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: 'copy/replaced file.txt',
          CopySource: `/${bucket}/${encodeURIComponent('copy/source.txt')}`,
          MetadataDirective: 'REPLACE',
          ContentType: 'application/json',
          Metadata: { origin: 'replaced' },
        }),
      );
      const replaced = await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy/replaced file.txt' }));
      assert.deepEqual([replaced.ContentType, replaced.Metadata], ['application/json', { origin: 'replaced' }]);
      assert.equal(await getText('copy/replaced file.txt'), 'copy me');
      const self = await failureOf(t.sdk.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy/kept.txt', CopySource: `${bucket}/copy/kept.txt` })));
      assert.equal(self.code, 'InvalidRequest');
    });

    it('deletes objects one by one, answering 204 even for a missing key', async () => {
      await put('to-delete.txt', 'x');
      const deleted = await t.sdk.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'to-delete.txt' }));
      assert.equal(deleted.$metadata.httpStatusCode, 204);
      assert.equal((await failureOf(getText('to-delete.txt'))).code, 'NoSuchKey');
      const again = await t.sdk.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'to-delete.txt' }));
      assert.equal(again.$metadata.httpStatusCode, 204);
    });

    it('deletes a batch with DeleteObjects, reporting each key unless Quiet', async () => {
      for (const k of ['batch/1', 'batch/2', 'batch/3', 'batch/4']) await put(k, k);
      const verbose = await t.sdk.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'batch/1' }, { Key: 'batch/2' }, { Key: 'batch/never' }] } }),
      );
      assert.deepEqual(verbose.Deleted?.map((d) => d.Key), ['batch/1', 'batch/2', 'batch/never']);
      const quiet = await t.sdk.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Quiet: true, Objects: [{ Key: 'batch/3' }] } }));
      assert.equal(quiet.Deleted, undefined);
      await t.minio.removeObjects(bucket, ['batch/4']); // minio signs this with Content-MD5
      const left = await t.sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'batch/' }));
      assert.equal(left.KeyCount, 0);
    });

    it('rejects a body that does not match its Content-MD5 with BadDigest and keeps nothing', async () => {
      const failure = await failureOf(put('bad-md5.txt', 'actual body', { ContentMD5: Buffer.from(md5Hex('other'), 'hex').toString('base64') }));
      assert.deepEqual([failure.code, failure.status], ['BadDigest', 400]);
      assert.equal((await failureOf(getText('bad-md5.txt'))).code, 'NoSuchKey');
    });

    it('refuses objects larger than maxObjectBytes with EntityTooLarge', async () => {
      const failure = await failureOf(put('too-big.bin', Buffer.alloc(8 * MiB + 1)));
      assert.deepEqual([failure.code, failure.status], ['EntityTooLarge', 400]);
    });
  });

  describe('authentication and unsupported operations', () => {
    it('rejects a wrong secret with SignatureDoesNotMatch and an unknown key with InvalidAccessKeyId', async () => {
      const wrongSecret = sdkClient(t.server.endpoint, { secretAccessKey: 'not-the-secret' });
      const failure = await failureOf(wrongSecret.send(new ListObjectsV2Command({ Bucket: bucket })));
      assert.deepEqual([failure.code, failure.status], ['SignatureDoesNotMatch', 403]);
      const unknownKey = sdkClient(t.server.endpoint, { accessKeyId: 'unknown-key' });
      const unknown = await failureOf(unknownKey.send(new ListObjectsV2Command({ Bucket: bucket })));
      assert.deepEqual([unknown.code, unknown.status], ['InvalidAccessKeyId', 403]);
      wrongSecret.destroy();
      unknownKey.destroy();
    });

    it('refuses unsigned requests with AccessDenied, as an S3 error document', async () => {
      const { status, body } = await rawGet(`${t.server.endpoint}/${bucket}/docs/readme.txt`);
      assert.equal(status, 403);
      assert.match(body, /<Error><Code>AccessDenied<\/Code><Message>[^<]+<\/Message><Resource>\/objects\/docs\/readme.txt<\/Resource><RequestId>\w+<\/RequestId><\/Error>/);
    });

    it('serves presigned URLs and refuses them once tampered with', async () => {
      await put('presigned.txt', 'shared via a link');
      const url = await t.minio.presignedGetObject(bucket, 'presigned.txt', 60);
      assert.deepEqual(await rawGet(url), { status: 200, body: 'shared via a link' });
      const tampered = url.replace('presigned.txt', 'presigned.tx%74x');
      assert.equal((await rawGet(tampered)).status, 403);
    });

    it('answers operations it does not offer with 501 NotImplemented naming them', async () => {
      const failure = await failureOf(t.sdk.send(new GetBucketPolicyCommand({ Bucket: bucket })));
      assert.equal(failure.code, 'NotImplemented');
      assert.equal(failure.status, 501);
      assert.match(failure.message, /GetBucketPolicy/);
    });
  });
});

function rawGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    })
      .on('error', reject)
      .end();
  });
}
