import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type ObsClient from 'esdk-obs-nodejs';
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { errorCode, LocalhostAgent, OBS_MODES, obsClient, rawRequest } from './obs-test-support';
import { md5Hex, md5OfStream, MiB, TestServer, writeSeededFile } from './s3-test-support';

describe("embedded store: Huawei's OBS SDK (esdk-obs-nodejs)", function () {
  this.timeout(120_000);
  let t: TestServer;
  let agent: LocalhostAgent;
  const listed = 'obs-listing';
  const listedKeys = Array.from({ length: 1005 }, (_, i) => `page/${String(i).padStart(5, '0')}`);

  before(async () => {
    t = await TestServer.start();
    agent = new LocalhostAgent();
    await t.sdk.send(new CreateBucketCommand({ Bucket: listed }));
    const queue = [...listedKeys];
    const worker = async (): Promise<void> => {
      for (let Key = queue.shift(); Key !== undefined; Key = queue.shift()) {
        await t.sdk.send(new PutObjectCommand({ Bucket: listed, Key, Body: Key }));
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await t.sdk.send(new PutObjectCommand({ Bucket: listed, Key: 'other/outside-the-prefix', Body: 'x' }));
  });
  after(async () => {
    agent.destroy();
    await t.dispose();
  });

  it('negotiates in its default mode: an unsigned HEAD ?apiversion, then OBS signatures', async () => {
    const recorder = new LocalhostAgent();
    const obs = await obsClient(OBS_MODES[0].options(t.server.port, recorder));
    try {
      ok(await obs.createBucket({ Bucket: 'negotiated' }));
      ok(await obs.putObject({ Bucket: 'negotiated', Key: 'k', Body: 'v' }));
      // Virtual-host style: the bucket is in the Host, as the SDK addresses a named server by default.
      assert.deepEqual(recorder.sent, [
        'HEAD localhost/?apiversion unsigned',
        'PUT negotiated.localhost/ OBS',
        'HEAD negotiated.localhost/?apiversion unsigned',
        'PUT negotiated.localhost/k OBS',
      ]);
    } finally {
      obs.close();
      recorder.destroy();
    }
  });

  OBS_MODES.forEach((mode, index) => {
    describe(mode.name, () => {
      let obs: ObsClient;
      const bucket = `obs-mode-${index}`;

      before(async () => {
        obs = await obsClient(mode.options(t.server.port, agent));
        ok(await obs.createBucket({ Bucket: bucket }));
      });
      after(() => obs.close());

      it('puts, gets, copies and deletes objects, with their metadata', async () => {
        const Key = 'docs/read me.txt';
        const text = `hello from the OBS SDK in ${mode.name}`;
        const put = await obs.putObject({ Bucket: bucket, Key, Body: text, Metadata: { author: 'obs-sdk' } });
        ok(put);
        assert.equal(put.InterfaceResult?.ETag, `"${md5Hex(text)}"`);
        assert.ok(put.CommonMsg.RequestId, 'the request id comes in the header this mode of the SDK reads');

        const got = await obs.getObject({ Bucket: bucket, Key });
        ok(got);
        assert.equal(String(got.InterfaceResult?.Content), text);
        assert.equal(got.InterfaceResult?.Metadata.author, 'obs-sdk');
        // What the SDK sent (x-obs-meta-* or x-amz-meta-*) is what any S3 client reads back.
        const head = await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key }));
        assert.deepEqual(head.Metadata, { author: 'obs-sdk' });

        ok(await obs.copyObject({ Bucket: bucket, Key: 'docs/copy.txt', CopySource: `${bucket}/${Key}` }));
        assert.equal(String((await obs.getObject({ Bucket: bucket, Key: 'docs/copy.txt' })).InterfaceResult?.Content), text);

        assert.equal((await obs.deleteObject({ Bucket: bucket, Key: 'docs/copy.txt' })).CommonMsg.Status, 204);
        const gone = await obs.getObject({ Bucket: bucket, Key: 'docs/copy.txt' });
        assert.deepEqual([gone.CommonMsg.Status, gone.CommonMsg.Code], [404, 'NoSuchKey']);
      });

      it('lists by prefix, paging past 1,000 keys with markers', async () => {
        const keys: string[] = [];
        let marker: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await obs.listObjects({ Bucket: listed, Prefix: 'page/', Marker: marker, MaxKeys: 1000 });
          ok(page);
          const contents = page.InterfaceResult?.Contents ?? [];
          keys.push(...contents.map((c) => c.Key));
          pages += 1;
          if (page.InterfaceResult?.IsTruncated !== 'true') break;
          marker = page.InterfaceResult.NextMarker ?? contents[contents.length - 1].Key;
        }
        assert.equal(pages, 2);
        assert.deepEqual(keys, listedKeys);
      });

      it('uploads in parts: initiateMultipartUpload, uploadPart, completeMultipartUpload', async () => {
        const Key = 'parts/model.bin';
        // Parts from a file by offset, the SDK's way of uploading binary data in parts.
        const SourceFile = join(t.root, `parts-${index}.bin`);
        const size = 5 * MiB + 1234;
        const md5 = await writeSeededFile(SourceFile, size, 17 + index);
        const init = await obs.initiateMultipartUpload({ Bucket: bucket, Key, ContentType: 'application/octet-stream' });
        ok(init);
        const UploadId = init.InterfaceResult?.UploadId;
        const uploaded = [];
        for (const [i, [Offset, PartSize]] of [[0, 5 * MiB], [5 * MiB, 1234]].entries()) {
          const part = await obs.uploadPart({ Bucket: bucket, Key, UploadId, PartNumber: i + 1, SourceFile, Offset, PartSize });
          ok(part);
          uploaded.push({ PartNumber: i + 1, ETag: part.InterfaceResult?.ETag });
        }
        const done = await obs.completeMultipartUpload({ Bucket: bucket, Key, UploadId, Parts: uploaded });
        ok(done);
        assert.match(String(done.InterfaceResult?.ETag), /-2"$/);
        const got = await obs.getObject({ Bucket: bucket, Key, SaveAsStream: true });
        ok(got);
        assert.equal(await md5OfStream(got.InterfaceResult?.Content as unknown as Readable), md5);
      });

      it('serves a GET presigned by createSignedUrlSync, and refuses the link once tampered with', async () => {
        const Key = 'shared/link.txt';
        ok(await obs.putObject({ Bucket: bucket, Key, Body: 'shared by a link' }));
        const signed = obs.createSignedUrlSync({ Method: 'GET', Bucket: bucket, Key, Expires: 300 });
        const answer = await rawRequest(signed.SignedUrl, { headers: signed.ActualSignedRequestHeaders });
        assert.deepEqual([answer.status, answer.body], [200, 'shared by a link']);
        const tampered = await rawRequest(signed.SignedUrl.replace('link.txt', 'link.txu'), { headers: signed.ActualSignedRequestHeaders });
        assert.deepEqual([tampered.status, errorCode(tampered.body)], [403, 'SignatureDoesNotMatch']);
      });
    });
  });
});

function ok(result: { CommonMsg: { Status: number; Code?: string; Message?: string } }): void {
  const { Status, Code, Message } = result.CommonMsg;
  assert.ok(Status < 300, `expected success, got ${Status} ${Code ?? ''} ${Message ?? ''}`);
}
