import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api, rawRequest } from '../helpers/http';

describe('the object-storage API', function () {
  this.timeout(60_000);
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform({ MAX_UPLOAD_BYTES: String(64 * 1024) });
  });
  after(async () => t?.close());

  it('creates a bucket, lists it, and refuses the same name twice', async () => {
    assert.equal((await api(t.url, 'POST', '/buckets', { name: 'console-a' })).status, 201);
    const list = await api(t.url, 'GET', '/buckets');
    assert.ok(list.body.buckets.some((b: any) => b.name === 'console-a' && b.created_at));
    const again = await api(t.url, 'POST', '/buckets', { name: 'console-a' });
    assert.equal(again.status, 409);
    const bad = await api(t.url, 'POST', '/buckets', { name: 'Bad_Name' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].path, 'name');
  });

  it('refuses the bucket names the store refuses, with the rule that is broken', async () => {
    const bad = await api(t.url, 'POST', '/buckets', { name: 'my-.bucket' });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors, [{ path: 'name', message: 'is not a valid bucket name: a bucket name must not have a hyphen next to a period' }]);
  });

  it('uploads an object, lists it with size and date, and downloads the same bytes as an attachment', async () => {
    await api(t.url, 'POST', '/buckets', { name: 'console-b' });
    const bytes = Buffer.from('a,b\n1,2\n');
    const put = await fetch(`${t.url}/buckets/console-b/objects/data/table%20one.csv`, { method: 'PUT', body: bytes, headers: { 'content-type': 'text/csv' } });
    assert.equal(put.status, 201);
    assert.deepEqual(await put.json(), { key: 'data/table one.csv', size: bytes.length });

    const listing = (await api(t.url, 'GET', '/buckets/console-b/objects?prefix=data/&delimiter=/')).body;
    assert.equal(listing.objects.length, 1);
    assert.equal(listing.objects[0].key, 'data/table one.csv');
    assert.equal(listing.objects[0].size, bytes.length);
    assert.ok(Date.parse(listing.objects[0].last_modified) > 0);

    const got = await fetch(`${t.url}/buckets/console-b/objects/data/table%20one.csv`);
    assert.equal(got.status, 200);
    assert.deepEqual(Buffer.from(await got.arrayBuffer()), bytes);
    assert.equal(got.headers.get('content-type'), 'text/csv');
    assert.match(got.headers.get('content-disposition') ?? '', /^attachment; .*filename\*=UTF-8''table%20one\.csv/);
    assert.match(got.headers.get('content-security-policy') ?? '', /sandbox/);
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');

    const head = await fetch(`${t.url}/buckets/console-b/objects/data/table%20one.csv`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(bytes.length));
    assert.equal(await head.text(), '');
  });

  it('shows folders with the "/" delimiter and pages through a large folder with tokens', async () => {
    await api(t.url, 'POST', '/buckets', { name: 'console-c' });
    const keys = Array.from({ length: 25 }, (_, i) => `many/f${String(i).padStart(2, '0')}.txt`);
    await Promise.all(keys.map((k) => t.store.put({ bucket: 'console-c', key: k }, k)));
    await t.store.put({ bucket: 'console-c', key: 'many/sub/inner.txt' }, 'x');

    const root = (await api(t.url, 'GET', '/buckets/console-c/objects?delimiter=/')).body;
    assert.deepEqual(root.folders, ['many/']);
    assert.deepEqual(root.objects, []);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const q = `prefix=many/&delimiter=/&limit=10${token ? `&token=${encodeURIComponent(token)}` : ''}`;
      const page = (await api(t.url, 'GET', `/buckets/console-c/objects?${q}`)).body;
      seen.push(...page.objects.map((o: any) => o.key), ...page.folders);
      token = page.next_token;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(seen.sort(), [...keys, 'many/sub/'].sort());
  });

  it('makes an empty folder from a key ending in "/" and deletes a folder with everything under it', async () => {
    await api(t.url, 'POST', '/buckets', { name: 'console-d' });
    assert.equal((await fetch(`${t.url}/buckets/console-d/objects/empty/`, { method: 'PUT' })).status, 201);
    assert.deepEqual((await api(t.url, 'GET', '/buckets/console-d/objects?delimiter=/')).body.folders, ['empty/']);

    await t.store.put({ bucket: 'console-d', key: 'full/a.txt' }, 'a');
    await t.store.put({ bucket: 'console-d', key: 'full/deeper/b.txt' }, 'b');
    assert.deepEqual((await api(t.url, 'DELETE', '/buckets/console-d/objects/full/')).body, { deleted: 2 });
    assert.deepEqual((await api(t.url, 'DELETE', '/buckets/console-d/objects/empty/')).body, { deleted: 1 });
    assert.deepEqual((await api(t.url, 'GET', '/buckets/console-d/objects')).body.objects, []);
    assert.equal((await api(t.url, 'DELETE', '/buckets/console-d')).status, 204);
  });

  it('deletes one object, answers 404 for one that is not there, and 409 for a bucket that is not empty', async () => {
    await api(t.url, 'POST', '/buckets', { name: 'console-e' });
    await t.store.put({ bucket: 'console-e', key: 'one.txt' }, '1');
    assert.equal((await api(t.url, 'DELETE', '/buckets/console-e')).status, 409);
    assert.deepEqual((await api(t.url, 'DELETE', '/buckets/console-e/objects/one.txt')).body, { deleted: 1 });
    assert.equal((await api(t.url, 'DELETE', '/buckets/console-e/objects/one.txt')).status, 404);
    assert.equal((await api(t.url, 'GET', '/buckets/console-e/objects/one.txt')).status, 404);
    assert.equal((await api(t.url, 'GET', '/buckets/no-such-bucket/objects')).status, 404);
  });

  it('refuses uploads over MAX_UPLOAD_BYTES with 413 naming the limit, and keeps nothing of them', async () => {
    await api(t.url, 'POST', '/buckets', { name: 'console-f' });
    const res = await fetch(`${t.url}/buckets/console-f/objects/big.bin`, { method: 'PUT', body: Buffer.alloc(64 * 1024 + 1) });
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error_msg: string }).error_msg, /at most 65536 bytes \(MAX_UPLOAD_BYTES\)/);
    assert.equal(await t.store.head({ bucket: 'console-f', key: 'big.bin' }), undefined);
  });

  it('refuses keys that are not plain relative paths, as OBS URLs are refused', async () => {
    await api(t.url, 'POST', '/buckets', { name: 'console-g' });
    const body = Buffer.from('x');
    for (const path of ['a/../b.txt', '..%2Fb.txt', 'a/./b.txt', 'a//b.txt', '%2Fetc%2Fpasswd', 'a%5Cb.txt', 'a%252e%252e/b']) {
      const res = await rawRequest(t.url, 'PUT', `/buckets/console-g/objects/${path}`, { body });
      assert.equal(res.status, 400, path);
      assert.equal(JSON.parse(res.text).error_code, 'ModelArts.0101', path);
    }
    assert.deepEqual((await api(t.url, 'GET', '/buckets/console-g/objects')).body.objects, []);
    assert.equal((await api(t.url, 'GET', '/buckets/console-g/objects?prefix=../')).status, 400);
    assert.equal((await api(t.url, 'GET', '/buckets/console-g/objects?delimiter=|')).status, 400);
  });

  it('asks for a Content-Length instead of taking an upload of unknown size', async () => {
    await api(t.url, 'POST', '/buckets', { name: 'console-h' });
    const { hostname, port } = new URL(t.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: hostname, port, method: 'PUT', path: '/buckets/console-h/objects/chunked.txt' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject);
      req.write('some bytes');
      req.end();
    });
    assert.equal(status, 411);
  });

  it('keeps the platform bucket read-only: its model copies cannot be changed from here', async () => {
    const system = t.config.obs.systemBucket;
    await t.store.ensureBucket(system);
    const put = await fetch(`${t.url}/buckets/${system}/objects/x.txt`, { method: 'PUT', body: 'x' });
    assert.equal(put.status, 403);
    assert.equal((await api(t.url, 'DELETE', `/buckets/${system}/objects/models/`)).status, 403);
    assert.equal((await api(t.url, 'GET', `/buckets/${system}/objects`)).status, 200);
  });
});
