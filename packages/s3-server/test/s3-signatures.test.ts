import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { errorCode, LocalhostAgent, rawRequest } from './obs-test-support';
import { ACCESS_KEY, failureOf, REGION, SECRET_KEY, TestServer } from './s3-test-support';
import { presignV2, signV2, signV4WithDateOnly } from './signing';

describe('embedded store: Signature V2, OBS signatures and refusals', function () {
  let t: TestServer;
  const bucket = 'signed';
  const url = (path: string): string => `${t.server.endpoint}${path}`;
  const exists = async (Key: string): Promise<boolean> =>
    t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key })).then(
      () => true,
      () => false,
    );
  const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;

  before(async () => {
    t = await TestServer.start();
    await t.sdk.send(new CreateBucketCommand({ Bucket: bucket }));
    await t.sdk.send(new PutObjectCommand({ Bucket: bucket, Key: 'docs/read me.txt', Body: 'readable' }));
  });
  after(async () => t.dispose());

  describe('Signature V2', () => {
    it('serves a V2 presigned link as aws s3 presign makes it, and refuses it tampered or expired', async () => {
      const path = `/${bucket}/docs/read%20me.txt`;
      const link = presignV2(t.server.endpoint, path, ACCESS_KEY, SECRET_KEY, inAnHour());
      assert.deepEqual(await bodyOf(link), [200, 'readable']);
      const tampered = await rawRequest(link.replace('read%20me', 'read%20you'));
      assert.deepEqual([tampered.status, errorCode(tampered.body)], [403, 'SignatureDoesNotMatch']);
      const expired = await rawRequest(presignV2(t.server.endpoint, path, ACCESS_KEY, SECRET_KEY, Math.floor(Date.now() / 1000) - 1));
      assert.deepEqual([expired.status, errorCode(expired.body)], [403, 'AccessDenied']);
      assert.match(expired.body, /expired/);
    });

    it('stores a V2-signed PUT with its Content-MD5, type and metadata, and reads it with V2', async () => {
      const body = 'put with Signature Version 2';
      const headers = {
        'Content-MD5': createHash('md5').update(body).digest('base64'),
        'Content-Type': 'text/plain',
        'x-amz-meta-Origin': 's3cmd',
      };
      const path = `/${bucket}/v2/put%2Bplus.txt`;
      const put = await rawRequest(url(path), { method: 'PUT', body, headers: signV2({ method: 'PUT', path, headers }, ACCESS_KEY, SECRET_KEY) });
      assert.equal(put.status, 200, put.body);
      const head = await t.sdk.send(new HeadObjectCommand({ Bucket: bucket, Key: 'v2/put+plus.txt' }));
      assert.deepEqual([head.ContentType, head.Metadata], ['text/plain', { origin: 's3cmd' }]);
      const get = await rawRequest(url(path), { headers: signV2({ method: 'GET', path, headers: {} }, ACCESS_KEY, SECRET_KEY) });
      assert.deepEqual([get.status, get.body], [200, body]);
    });

    it('covers the signed sub-resources: a V2 ListMultipartUploads', async () => {
      const path = `/${bucket}`;
      const headers = signV2({ method: 'GET', path: `${path}/`, subresources: ['uploads'], headers: {} }, ACCESS_KEY, SECRET_KEY);
      const listed = await rawRequest(url(`${path}?uploads`), { headers });
      assert.equal(listed.status, 200, listed.body);
      assert.match(listed.body, /<ListMultipartUploadsResult/);
    });

    it('refuses a wrong secret, an unknown key, a skewed date and a malformed header, and writes nothing', async () => {
      const path = `/${bucket}/refused.txt`;
      const put = (headers: Record<string, string>) => rawRequest(url(path), { method: 'PUT', body: 'never stored', headers });
      const request = { method: 'PUT', path, headers: {} };
      const cases: Array<[Record<string, string>, number, string]> = [
        [signV2(request, ACCESS_KEY, 'not-the-secret'), 403, 'SignatureDoesNotMatch'],
        [signV2(request, 'unknown-key', SECRET_KEY), 403, 'InvalidAccessKeyId'],
        [signV2(request, ACCESS_KEY, SECRET_KEY, { date: new Date(Date.now() - 3600_000) }), 403, 'RequestTimeTooSkewed'],
        [{ Date: new Date().toUTCString(), Authorization: 'AWS no-colon-here' }, 400, 'InvalidArgument'],
      ];
      for (const [headers, status, code] of cases) {
        const answer = await put(headers);
        assert.deepEqual([answer.status, errorCode(answer.body)], [status, code], answer.body);
      }
      assert.equal(await exists('refused.txt'), false);
    });
  });

  describe("OBS's own signature", () => {
    it('stores an OBS-signed PUT with x-obs-* headers and answers with x-obs-* headers', async () => {
      const headers = { 'Content-Type': 'text/plain', 'x-obs-meta-team': 'modelarts' };
      const path = `/${bucket}/obs/signed.txt`;
      const put = await rawRequest(url(path), { method: 'PUT', body: 'obs', headers: signV2({ method: 'PUT', path, headers }, ACCESS_KEY, SECRET_KEY, { scheme: 'OBS' }) });
      assert.equal(put.status, 200, put.body);
      assert.ok(put.headers['x-obs-request-id'], 'OBS clients read x-obs-request-id');
      assert.equal(put.headers['x-amz-request-id'], undefined);
      const get = await rawRequest(url(path), { headers: signV2({ method: 'GET', path, headers: {} }, ACCESS_KEY, SECRET_KEY, { scheme: 'OBS' }) });
      assert.deepEqual([get.status, get.body, get.headers['x-obs-meta-team']], [200, 'obs', 'modelarts']);
      // The same object through S3: the same metadata, under S3's names.
      const viaS3 = await t.sdk.send(new GetObjectCommand({ Bucket: bucket, Key: 'obs/signed.txt' }));
      assert.deepEqual(viaS3.Metadata, { team: 'modelarts' });
    });

    it('refuses a wrong OBS signature or an expired OBS link with an OBS-dialect error, and writes nothing', async () => {
      const path = `/${bucket}/obs/refused.txt`;
      const wrong = signV2({ method: 'PUT', path, headers: {} }, ACCESS_KEY, 'not-the-secret', { scheme: 'OBS' });
      const refused = await rawRequest(url(path), { method: 'PUT', body: 'never stored', headers: wrong });
      assert.deepEqual([refused.status, errorCode(refused.body)], [403, 'SignatureDoesNotMatch']);
      assert.ok(refused.headers['x-obs-request-id']);
      assert.equal(await exists('obs/refused.txt'), false);
      const expired = presignV2(t.server.endpoint, `/${bucket}/docs/read%20me.txt`, ACCESS_KEY, SECRET_KEY, 1_000_000, 'OBS');
      const answer = await rawRequest(expired);
      assert.deepEqual([answer.status, errorCode(answer.body)], [403, 'AccessDenied']);
    });

    it('answers the ?apiversion negotiation unsigned: x-obs-api 3.0, and 404 for a bucket that does not exist', async () => {
      for (const path of ['/?apiversion', `/${bucket}?apiversion`]) {
        const answer = await rawRequest(url(path), { method: 'HEAD' });
        assert.deepEqual([answer.status, answer.headers['x-obs-api']], [200, '3.0'], path);
      }
      assert.equal((await rawRequest(url('/no-such-bucket?apiversion'), { method: 'HEAD' })).status, 404);
    });
  });

  describe('SigV4 links and dates', () => {
    it('refuses presigned links whose X-Amz-Expires is 0, over a week, or past', async () => {
      const link = await t.minio.presignedGetObject(bucket, 'docs/read me.txt', 60);
      assert.deepEqual(await bodyOf(link), [200, 'readable']);
      for (const expires of ['0', '604801']) {
        const answer = await rawRequest(link.replace(/X-Amz-Expires=\d+/, `X-Amz-Expires=${expires}`));
        assert.deepEqual([answer.status, errorCode(answer.body)], [403, 'AccessDenied'], expires);
        assert.match(answer.body, /X-Amz-Expires must be between 1 and 604800/);
      }
      const short = await t.minio.presignedGetObject(bucket, 'docs/read me.txt', 1);
      await new Promise((r) => setTimeout(r, 1500));
      const expired = await rawRequest(short);
      assert.deepEqual([expired.status, errorCode(expired.body)], [403, 'AccessDenied']);
      assert.match(expired.body, /expired/);
    });

    it('accepts a SigV4 request dated by its Date header alone', async () => {
      const host = new URL(t.server.endpoint).host;
      const headers = signV4WithDateOnly('GET', `/${bucket}/docs/read%20me.txt`, host, ACCESS_KEY, SECRET_KEY, REGION);
      const answer = await rawRequest(url(`/${bucket}/docs/read%20me.txt`), { headers });
      assert.deepEqual([answer.status, answer.body], [200, 'readable']);
    });
  });

  it('answers virtual-host style requests to <bucket>.localhost', async () => {
    const agent = new LocalhostAgent();
    const client = new S3Client({
      endpoint: `http://localhost:${t.server.port}`,
      region: REGION,
      forcePathStyle: false,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      requestHandler: { httpAgent: agent },
    });
    try {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'vhost/a.txt', Body: 'virtual' }));
      assert.equal(await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'vhost/a.txt' }))).Body?.transformToString(), 'virtual');
      assert.ok(agent.sent.every((line) => line.includes(`${bucket}.localhost/vhost/a.txt`)), agent.sent.join('\n'));
      const missing = await failureOf(client.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' })));
      assert.equal(missing.code, 'NoSuchBucket');
    } finally {
      client.destroy();
      agent.destroy();
    }
  });
});

async function bodyOf(link: string): Promise<[number, string]> {
  const answer = await rawRequest(link);
  return [answer.status, answer.body];
}
