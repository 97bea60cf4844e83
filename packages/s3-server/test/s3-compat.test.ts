import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetBucketAclCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketAclCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { connect } from 'node:net';
import { errorCode, rawRequest } from './obs-test-support';
import { ACCESS_KEY, failureOf, SECRET_KEY, TestServer } from './s3-test-support';
import { signV2 } from './signing';

/** What Ceph's s3-tests found missing or different from S3, each fixed and pinned here. */
describe('embedded S3 server: S3 compatibility found by the conformance suite', function () {
  let t: TestServer;
  const bucket = 'compat';
  const put = (Key: string, Body: string, extra: Record<string, unknown> = {}) =>
    t.sdk.send(new PutObjectCommand({ Bucket: bucket, Key, Body, ...extra }));

  before(async () => {
    t = await TestServer.start();
    await t.sdk.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(async () => t.dispose());

  it('lists an unversioned bucket’s objects as versions with VersionId null, and reports versioning never enabled', async () => {
    await put('versions/a', 'a');
    await put('versions/b', 'b');
    const listed = await t.sdk.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'versions/', MaxKeys: 1 }));
    assert.deepEqual(listed.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest]), [['versions/a', 'null', true]]);
    assert.deepEqual([listed.IsTruncated, listed.NextKeyMarker], [true, 'versions/a']);
    const rest = await t.sdk.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'versions/', KeyMarker: listed.NextKeyMarker }));
    assert.deepEqual(rest.Versions?.map((v) => v.Key), ['versions/b']);
    assert.equal((await t.sdk.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status, undefined);
  });

  it('pages ListBuckets by MaxBuckets and ContinuationToken, and filters by Prefix', async () => {
    for (const name of ['paged-1', 'paged-2', 'paged-3']) await t.sdk.send(new CreateBucketCommand({ Bucket: name }));
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await t.sdk.send(new ListBucketsCommand({ MaxBuckets: 2, Prefix: 'paged-', ContinuationToken: token }));
      assert.ok((page.Buckets?.length ?? 0) <= 2);
      names.push(...(page.Buckets ?? []).map((b) => b.Name ?? ''));
      token = page.ContinuationToken;
    } while (token);
    assert.deepEqual(names, ['paged-1', 'paged-2', 'paged-3']);
  });

  it('stores and lists keys with special names, and treats an empty continuation token as none', async () => {
    const keys = [' ', '"', '$', '%', '&', "'", '<', '>', '_', '_ ', '_ _', '__', 'a+b', 'ü ö'].map((k) => `special/${k}`);
    for (const Key of keys) await put(Key, Key);
    const listed = await t.sdk.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'special/', ContinuationToken: '' }));
    assert.deepEqual(listed.Contents?.map((c) => c.Key), [...keys].sort());
  });

  it('round-trips non-ASCII metadata sent as Latin-1 (Node) or as UTF-8 bytes (Python clients)', async () => {
    await put('meta/latin', 'x', { Metadata: { note: 'café' } });
    assert.deepEqual((await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'meta/latin' }))).Metadata, { note: 'café' });
    // A client that sends (and signs) the UTF-8 bytes of "naïve ☃" gets those bytes back.
    const utf8AsHeader = Buffer.from('naïve ☃', 'utf8').toString('latin1');
    const path = `/${bucket}/meta/utf8`;
    const headers = signV2({ method: 'PUT', path, headers: { 'x-amz-meta-note': utf8AsHeader } }, ACCESS_KEY, SECRET_KEY);
    assert.equal((await rawRequest(`${t.server.endpoint}${path}`, { method: 'PUT', body: 'y', headers })).status, 200);
    const head = await rawRequest(`${t.server.endpoint}${path}`, { method: 'HEAD', headers: signV2({ method: 'HEAD', path, headers: {} }, ACCESS_KEY, SECRET_KEY) });
    assert.equal(Buffer.from(String(head.headers['x-amz-meta-note']), 'latin1').toString('utf8'), 'naïve ☃');
  });

  it('answers Expect: 100-continue only once the request is authorised, and ignores other Expect values', async () => {
    const unsigned = await firstStatusLine(t.server.port, `PUT /${bucket}/expect/unsigned HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n`);
    assert.match(unsigned, /^HTTP\/1\.1 403 /);
    const path = `/${bucket}/expect/signed`;
    const signed = signV2({ method: 'PUT', path, headers: { 'Content-Length': '5', Expect: '100-continue' } }, ACCESS_KEY, SECRET_KEY);
    assert.deepEqual(await putAfterContinue(t.server.port, path, signed, 'hello'), { continued: true, status: 200 });
    const other = signV2({ method: 'PUT', path, headers: { Expect: '200-ok' } }, ACCESS_KEY, SECRET_KEY);
    assert.equal((await rawRequest(`${t.server.endpoint}${path}`, { method: 'PUT', body: 'other', headers: other })).status, 200);
  });

  it('refuses CORS preflights, which need a CORS configuration this server does not offer', async () => {
    const noOrigin = await rawRequest(`${t.server.endpoint}/${bucket}/x`, { method: 'OPTIONS' });
    assert.deepEqual([noOrigin.status, errorCode(noOrigin.body)], [400, 'BadRequest']);
    const withOrigin = await rawRequest(`${t.server.endpoint}/${bucket}/x`, { method: 'OPTIONS', headers: { Origin: 'http://example.com', 'Access-Control-Request-Method': 'GET' } });
    assert.deepEqual([withOrigin.status, errorCode(withOrigin.body)], [403, 'CORSResponse']);
  });

  it('refuses bucket names whose labels are not DNS labels, as virtual-host addressing needs', async () => {
    for (const Bucket of ['foo-.bar', 'foo.-bar']) {
      assert.equal((await failureOf(t.sdk.send(new CreateBucketCommand({ Bucket })))).code, 'InvalidBucketName', Bucket);
    }
  });

  it('refuses an UploadPartCopy range that ends beyond its source with InvalidRange', async () => {
    await put('copy/source', '12345');
    const { UploadId } = await t.sdk.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'copy/target' }));
    const copy = new UploadPartCopyCommand({ Bucket: bucket, Key: 'copy/target', UploadId, PartNumber: 1, CopySource: `${bucket}/copy/source`, CopySourceRange: 'bytes=0-21' });
    assert.equal((await failureOf(t.sdk.send(copy))).code, 'InvalidRange');
  });

  it('keeps Content-Encoding as sent, less the aws-chunked that described the upload', async () => {
    const cases: Array<[string, string | undefined]> = [
      ['deflate, gzip', 'deflate, gzip'],
      ['gzip, aws-chunked', 'gzip'],
      ['aws-chunked', undefined],
    ];
    for (const [sent, kept] of cases) {
      await put('encoding/x', 'plain bytes', { ContentEncoding: sent });
      assert.equal((await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'encoding/x' }))).ContentEncoding, kept, sent);
    }
  });

  it('reports the private ACL of a single-account store, accepts it back, and refuses public grants', async () => {
    await put('acl/x', 'x');
    const bucketAcl = await t.sdk.send(new GetBucketAclCommand({ Bucket: bucket }));
    assert.deepEqual(bucketAcl.Grants?.map((g) => [g.Grantee?.ID, g.Permission]), [['modelarts-local', 'FULL_CONTROL']]);
    const objectAcl = await t.sdk.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'acl/x' }));
    assert.equal(objectAcl.Owner?.ID, 'modelarts-local');
    await t.sdk.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'acl/x', ACL: 'private' }));
    const refused = await failureOf(t.sdk.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read' })));
    assert.deepEqual([refused.code, refused.status], ['NotImplemented', 501]);
  });
});

/** The status line a raw request gets first (a 100 Continue would come before any final answer). */
function firstStatusLine(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    socket.once('data', (data) => {
      resolve(data.toString('latin1').split('\r\n')[0]);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

/** A PUT that sends its body only after `100 Continue`, as clients with Expect do. */
function putAfterContinue(port: number, path: string, headers: Record<string, string>, body: string): Promise<{ continued: boolean; status?: number }> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = request({ host: '127.0.0.1', port, method: 'PUT', path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ continued, status: res.statusCode }));
    });
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}
