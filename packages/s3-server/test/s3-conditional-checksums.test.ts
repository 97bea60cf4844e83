import {
  type ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { failureOf, MiB, TestServer } from './s3-test-support';

/** Conditional writes and deletes, flexible checksums and part-wise reads, as S3 has them since 2024–2025. */
describe('embedded S3 server: conditional writes, checksums and parts', function () {
  let t: TestServer;
  const bucket = 'conditions';
  const put = (Key: string, Body: string, extra: Record<string, unknown> = {}) =>
    t.sdk.send(new PutObjectCommand({ Bucket: bucket, Key, Body, ...extra }));
  const text = async (Key: string): Promise<string | undefined> =>
    (await t.sdk.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body?.transformToString();

  before(async () => {
    t = await TestServer.start();
    await t.sdk.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(async () => t.dispose());

  /** Uploads `parts` as one multipart object and returns what completing it answered. */
  async function multipart(Key: string, parts: Buffer[], options: { algorithm?: ChecksumAlgorithm; complete?: Record<string, unknown> } = {}) {
    const { UploadId } = await t.sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key, ChecksumAlgorithm: options.algorithm }));
    const done: CompletedPart[] = [];
    for (const [i, Body] of parts.entries()) {
      const part = await t.sdk.send(new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber: i + 1, Body, ChecksumAlgorithm: options.algorithm }));
      const { ETag, ChecksumSHA256, ChecksumCRC32, ChecksumCRC32C, ChecksumCRC64NVME, ChecksumSHA1 } = part;
      done.push({ PartNumber: i + 1, ETag, ChecksumSHA256, ChecksumCRC32, ChecksumCRC32C, ChecksumCRC64NVME, ChecksumSHA1 });
    }
    const complete = new CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId, MultipartUpload: { Parts: done }, ...options.complete });
    return { UploadId, done, complete, result: await t.sdk.send(complete) };
  }

  describe('conditional writes and deletes', () => {
    it('writes with If-None-Match: * only a new key, and with If-Match only over the named version', async () => {
      const first = await put('cond/a', 'one', { IfNoneMatch: '*' });
      assert.deepEqual(pick(await failureOf(put('cond/a', 'two', { IfNoneMatch: '*' }))), ['PreconditionFailed', 412]);
      assert.deepEqual(pick(await failureOf(put('cond/a', 'two', { IfMatch: '"0123456789abcdef0123456789abcdef"' }))), ['PreconditionFailed', 412]);
      assert.deepEqual(pick(await failureOf(put('cond/missing', 'x', { IfMatch: '*' }))), ['NoSuchKey', 404]);
      assert.equal(await text('cond/a'), 'one');
      await put('cond/a', 'two', { IfMatch: first.ETag });
      assert.equal(await text('cond/a'), 'two');
    });

    it('lets one of two racing If-None-Match: * writes win and refuses the other', async () => {
      const results = await Promise.allSettled(['left', 'right'].map((body) => put('cond/race', body, { IfNoneMatch: '*' })));
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    });

    it('completes a multipart upload only if its If-None-Match holds, keeping the upload for a retry', async () => {
      await put('cond/mp', 'already here');
      const { UploadId } = await t.sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'cond/mp' }));
      const part = await t.sdk.send(new UploadPartCommand({ Bucket: bucket, Key: 'cond/mp', UploadId, PartNumber: 1, Body: 'new' }));
      const complete = (extra: Record<string, unknown>) =>
        t.sdk.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'cond/mp', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] }, ...extra }));
      assert.deepEqual(pick(await failureOf(complete({ IfNoneMatch: '*' }))), ['PreconditionFailed', 412]);
      assert.equal(await text('cond/mp'), 'already here');
      await complete({});
      assert.equal(await text('cond/mp'), 'new');
    });

    it('deletes with If-Match only the named version; a key already gone is not an error', async () => {
      const { ETag } = await put('cond/del', 'delete me');
      assert.deepEqual(pick(await failureOf(t.sdk.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'cond/del', IfMatch: '"ffffffffffffffffffffffffffffffff"' })))), ['PreconditionFailed', 412]);
      await t.sdk.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'cond/del', IfMatch: ETag }));
      await t.sdk.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'cond/del', IfMatch: ETag }));
      assert.equal((await failureOf(text('cond/del'))).code, 'NoSuchKey');
    });

    it("checks DeleteObjects' per-object ETag and Size, and deletes version null", async () => {
      const { ETag } = await put('cond/batch-1', 'abc');
      await put('cond/batch-2', 'abc');
      await put('cond/batch-3', 'abc');
      const answer = await t.sdk.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: {
            Objects: [
              { Key: 'cond/batch-1', ETag: '"00000000000000000000000000000000"' },
              { Key: 'cond/batch-2', Size: 99 },
              { Key: 'cond/batch-3', VersionId: 'null', Size: 3, ETag },
              { Key: 'cond/batch-1', VersionId: 'some-version' },
            ],
          },
        }),
      );
      assert.deepEqual(answer.Deleted?.map((d) => [d.Key, d.VersionId]), [['cond/batch-3', 'null']]);
      assert.deepEqual(answer.Errors?.map((e) => [e.Key, e.Code]), [
        ['cond/batch-1', 'PreconditionFailed'],
        ['cond/batch-2', 'PreconditionFailed'],
        ['cond/batch-1', 'NoSuchVersion'],
      ]);
      assert.equal(await text('cond/batch-1'), 'abc');
    });
  });

  describe('flexible checksums', () => {
    it('keeps the CRC32C, CRC64NVME or SHA256 of a PUT and returns it when ChecksumMode is ENABLED', async () => {
      const body = 'A'.repeat(1024);
      // CRC64NVME of 1,024 "A"s, as S3 and Ceph compute it.
      const known: Partial<Record<ChecksumAlgorithm, string>> = { CRC64NVME: 'Qeh8oXvGiSo=' };
      for (const algorithm of ['CRC32C', 'CRC64NVME', 'SHA256'] as ChecksumAlgorithm[]) {
        const Key = `sum/${algorithm}`;
        const sent = await put(Key, body, { ChecksumAlgorithm: algorithm });
        const field = `Checksum${algorithm}` as 'ChecksumSHA256';
        assert.ok(sent[field], `${algorithm} answered on PUT`);
        if (known[algorithm]) assert.equal(sent[field], known[algorithm]);
        const plain = await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key }));
        assert.equal(plain[field], undefined, 'only with ChecksumMode');
        const head = await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key, ChecksumMode: 'ENABLED' }));
        assert.deepEqual([head[field], head.ChecksumType], [sent[field], 'FULL_OBJECT']);
      }
    });

    it('refuses a body whose checksum does not match with BadDigest, and keeps nothing', async () => {
      const wrong = Buffer.alloc(32).toString('base64');
      assert.deepEqual(pick(await failureOf(put('sum/bad', 'payload', { ChecksumSHA256: wrong }))), ['BadDigest', 400]);
      assert.equal((await failureOf(text('sum/bad'))).code, 'NoSuchKey');
    });

    it('gives a multipart object the composite SHA256 of its parts, and refuses a complete that expects another', async () => {
      const parts = [randomBytes(5 * MiB), randomBytes(777)];
      const sha = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
      const expected = `${sha(Buffer.concat(parts.map(sha))).toString('base64')}-2`;
      const { result } = await multipart('sum/composite', parts, { algorithm: 'SHA256' });
      assert.deepEqual([result.ChecksumSHA256, result.ChecksumType], [expected, 'COMPOSITE']);
      const head = await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'sum/composite', ChecksumMode: 'ENABLED' }));
      assert.equal(head.ChecksumSHA256, expected);
      const refused = multipart('sum/refused', parts, { algorithm: 'SHA256', complete: { ChecksumSHA256: `${sha(Buffer.from('x')).toString('base64')}-2` } });
      assert.deepEqual(pick(await failureOf(refused)), ['BadDigest', 400]);
    });

    it('gives a CRC64NVME multipart object the checksum of its whole bytes, which the SDK verifies on GET', async () => {
      const parts = [randomBytes(5 * MiB), randomBytes(4321)];
      const { result } = await multipart('sum/full', parts, { algorithm: 'CRC64NVME' });
      assert.equal(result.ChecksumType, 'FULL_OBJECT');
      const got = await t.sdk.send(new GetObjectCommand({ Bucket: bucket, Key: 'sum/full', ChecksumMode: 'ENABLED' }));
      assert.equal(got.ChecksumCRC64NVME, result.ChecksumCRC64NVME);
      // The SDK recomputes the CRC64NVME of the body it reads and fails the read on a mismatch.
      assert.equal((await got.Body!.transformToByteArray()).length, 5 * MiB + 4321);
    });
  });

  describe('parts of multipart objects', () => {
    it('reads one part with ?partNumber=N, counts the parts, and reads a single-part object as part 1', async () => {
      const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), Buffer.from('tail')];
      await multipart('parts/three', parts, { algorithm: 'CRC32' });
      for (const [i, bytes] of parts.entries()) {
        const got = await t.sdk.send(new GetObjectCommand({ Bucket: bucket, Key: 'parts/three', PartNumber: i + 1 }));
        assert.equal(got.PartsCount, 3);
        assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(bytes), `part ${i + 1}`);
      }
      assert.deepEqual(pick(await failureOf(t.sdk.send(new GetObjectCommand({ Bucket: bucket, Key: 'parts/three', PartNumber: 4 })))), ['InvalidPart', 400]);
      await put('parts/single', 'whole');
      const single = await t.sdk.send(new GetObjectCommand({ Bucket: bucket, Key: 'parts/single', PartNumber: 1 }));
      assert.equal(await single.Body?.transformToString(), 'whole');
    });

    it('answers GetObjectAttributes with the ETag, size, checksum and paged parts', async () => {
      const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(10)];
      const { result } = await multipart('parts/attributes', parts, { algorithm: 'SHA256' });
      const attributes = await t.sdk.send(
        new GetObjectAttributesCommand({
          Bucket: bucket,
          Key: 'parts/attributes',
          ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'],
          MaxParts: 1,
          PartNumberMarker: '1',
        }),
      );
      assert.equal(`"${attributes.ETag}"`, result.ETag);
      assert.equal(attributes.ObjectSize, 10 * MiB + 10);
      assert.deepEqual([attributes.Checksum?.ChecksumSHA256, attributes.Checksum?.ChecksumType], [result.ChecksumSHA256, 'COMPOSITE']);
      const page = attributes.ObjectParts;
      assert.deepEqual([page?.TotalPartsCount, page?.IsTruncated, page?.NextPartNumberMarker], [3, true, '2']);
      assert.deepEqual(page?.Parts?.map((p) => [p.PartNumber, p.Size]), [[2, 5 * MiB]]);
    });

    it('answers a retried CompleteMultipartUpload of a completed upload with the same result', async () => {
      const { complete, result } = await multipart('parts/retried', [Buffer.from('only part')]);
      const again = await t.sdk.send(complete);
      assert.deepEqual([again.ETag, again.Key], [result.ETag, result.Key]);
    });

    it('takes the part uploaded last when a part number is listed twice (a re-upload raced the first)', async () => {
      const Key = 'parts/raced';
      const { UploadId } = await t.sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
      const upload = (Body: string) => t.sdk.send(new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber: 1, Body }));
      const first = await upload('first');
      const last = await upload('last');
      const Parts = [
        { PartNumber: 1, ETag: first.ETag },
        { PartNumber: 1, ETag: last.ETag },
      ];
      await t.sdk.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId, MultipartUpload: { Parts } }));
      assert.equal(await text(Key), 'last');
    });
  });
});

function pick(failure: { code: string; status?: number }): [string, number | undefined] {
  return [failure.code, failure.status];
}
