import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { strict as assert } from 'node:assert';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { failureOf, md5OfFileRange, md5OfStream, MiB, TestServer, writeSeededFile } from './s3-test-support';

describe('embedded S3 server: multipart uploads', function () {
  let t: TestServer;
  let bigFile: string;
  let bigMd5: string;
  const bucket = 'multipart';
  const bigSize = 105 * MiB + 12345;
  const partSize = 8 * MiB;

  before(async () => {
    t = await TestServer.start();
    await t.sdk.send(new CreateBucketCommand({ Bucket: bucket }));
    bigFile = join(t.root, 'big.bin');
    bigMd5 = await writeSeededFile(bigFile, bigSize, 42);
  });
  after(async () => t.dispose());

  const getMd5 = async (Key: string): Promise<string> =>
    md5OfStream((await t.sdk.send(new GetObjectCommand({ Bucket: bucket, Key }))).Body as AsyncIterable<Uint8Array>);

  it('assembles a 105 MiB upload from SDK UploadPart calls, with an md5-of-part-md5s-N ETag', async () => {
    const { UploadId } = await t.sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'sdk/big.bin', ContentType: 'application/x-test', Metadata: { kind: 'big' } }));
    const count = Math.ceil(bigSize / partSize);
    const etags: string[] = new Array(count);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < count; i = next++) {
        const start = i * partSize;
        const end = Math.min(bigSize, start + partSize) - 1;
        const result = await t.sdk.send(
          new UploadPartCommand({ Bucket: bucket, Key: 'sdk/big.bin', UploadId, PartNumber: i + 1, Body: createReadStream(bigFile, { start, end }) }),
        );
        assert.equal(result.ETag, `"${await md5OfFileRange(bigFile, start, end)}"`);
        etags[i] = result.ETag!;
      }
    };
    await Promise.all([worker(), worker(), worker()]);

    const listed = await t.sdk.send(new ListPartsCommand({ Bucket: bucket, Key: 'sdk/big.bin', UploadId }));
    assert.deepEqual(listed.Parts?.map((p) => p.PartNumber), Array.from({ length: count }, (_, i) => i + 1));

    const done = await t.sdk.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'sdk/big.bin',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const partMd5s = Buffer.concat(etags.map((e) => Buffer.from(e.replace(/"/g, ''), 'hex')));
    const expectedEtag = `"${createHash('md5').update(partMd5s).digest('hex')}-${count}"`;
    assert.equal(done.ETag, expectedEtag);
    const head = await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'sdk/big.bin' }));
    assert.deepEqual([head.ContentLength, head.ETag, head.ContentType, head.Metadata], [bigSize, expectedEtag, 'application/x-test', { kind: 'big' }]);
    assert.equal(await getMd5('sdk/big.bin'), bigMd5);
    assert.equal((await failureOf(t.sdk.send(new ListPartsCommand({ Bucket: bucket, Key: 'sdk/big.bin', UploadId })))).code, 'NoSuchUpload');
  });

  it("stores a 105 MiB stream uploaded by minio's putObject, which splits it into parts itself", async () => {
    const result = await t.minio.putObject(bucket, 'minio/big.bin', createReadStream(bigFile), bigSize, { 'Content-Type': 'application/x-minio' });
    assert.match(result.etag, /^[0-9a-f]{32}-2$/);
    const stat = await t.minio.statObject(bucket, 'minio/big.bin');
    assert.equal(stat.size, bigSize);
    assert.equal(await md5OfStream(await t.minio.getObject(bucket, 'minio/big.bin')), bigMd5);
  });

  it('refuses to complete with parts out of order, unknown parts, wrong ETags or a small inner part', async () => {
    const Key = 'rules.bin';
    const { UploadId } = await t.sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
    const upload = (PartNumber: number, Body: Buffer) => t.sdk.send(new UploadPartCommand({ Bucket: bucket, Key, UploadId, PartNumber, Body }));
    const complete = (Parts: Array<{ PartNumber: number; ETag?: string }>) =>
      failureOf(t.sdk.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId, MultipartUpload: { Parts } })));
    const p1 = await upload(1, Buffer.alloc(5 * MiB, 1));
    const p2 = await upload(2, Buffer.alloc(10, 2));
    const p3 = await upload(3, Buffer.alloc(10, 3));

    assert.equal((await complete([{ PartNumber: 2, ETag: p2.ETag }, { PartNumber: 1, ETag: p1.ETag }])).code, 'InvalidPartOrder');
    assert.equal((await complete([{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 4, ETag: p2.ETag }])).code, 'InvalidPart');
    assert.equal((await complete([{ PartNumber: 1, ETag: p2.ETag }])).code, 'InvalidPart');
    assert.equal((await complete([{ PartNumber: 2, ETag: p2.ETag }, { PartNumber: 3, ETag: p3.ETag }])).code, 'EntityTooSmall');

    await t.sdk.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
    assert.equal((await failureOf(upload(4, Buffer.alloc(1)))).code, 'NoSuchUpload');
    assert.equal((await failureOf(t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key })))).status, 404);
  });

  it('builds parts from existing objects with UploadPartCopy and skipped part numbers', async () => {
    const Key = 'copied.bin';
    await t.sdk.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy-source.bin', Body: Buffer.alloc(6 * MiB, 7) }));
    const { UploadId } = await t.sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }));
    const first = await t.sdk.send(new UploadPartCopyCommand({ Bucket: bucket, Key, UploadId, PartNumber: 2, CopySource: `${bucket}/copy-source.bin` }));
    const second = await t.sdk.send(
      new UploadPartCopyCommand({ Bucket: bucket, Key, UploadId, PartNumber: 5, CopySource: `${bucket}/copy-source.bin`, CopySourceRange: 'bytes=0-99' }),
    );
    const parts = [
      { PartNumber: 2, ETag: first.CopyPartResult!.ETag },
      { PartNumber: 5, ETag: second.CopyPartResult!.ETag },
    ];
    await t.sdk.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    const head = await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key }));
    assert.equal(head.ContentLength, 6 * MiB + 100);
    assert.match(head.ETag!, /-2"$/);
  });
});
