import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { repoPath } from '../../kernel/paths';
import { walkFiles } from '../../kernel/storage/object-store';
import { api, rawRequest } from '../helpers/http';
import { startTestPlatform, TestPlatform } from '../helpers/platform';

describe('the web console files', function () {
  this.timeout(60_000);
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform();
  });
  after(async () => t?.close());

  it('serves the console at / with a content security policy, and revalidates by ETag', async () => {
    const res = await fetch(`${t.url}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'.*frame-ancestors 'none'/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(await res.text(), /<script type="module" src="\/console\/app\.js">/);
    // As a browser revalidates its cached copy (fetch() would add "Cache-Control: no-cache", which forbids a 304).
    const again = await rawRequest(t.url, 'GET', '/', { headers: { 'if-none-match': res.headers.get('etag')! } });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
  });

  it('serves modules, styles and images with their content types', async () => {
    for (const [file, type] of [
      ['app.js', 'text/javascript; charset=utf-8'],
      ['pages/predict.js', 'text/javascript; charset=utf-8'],
      ['style.css', 'text/css; charset=utf-8'],
      ['icon.svg', 'image/svg+xml'],
    ]) {
      const res = await fetch(`${t.url}/console/${file}`);
      assert.equal(res.status, 200, file);
      assert.equal(res.headers.get('content-type'), type, file);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), await fs.readFile(repoPath('platform', 'console', file)), file);
    }
  });

  it('answers paths outside the console folder with the JSON 404, however they are spelled', async () => {
    for (const p of [
      '/console/../package.json',
      '/console/%2e%2e/package.json',
      '/console/..%2fpackage.json',
      '/console/lib/..%2f..%2f..%2fpackage.json',
      '/console/%2fetc%2fpasswd',
      '/console//etc/passwd',
      '/console/lib/',
      '/console/',
      '/index.html',
    ]) {
      const res = await rawRequest(t.url, 'GET', p);
      assert.equal(res.status, 404, p);
      assert.equal(res.headers['content-type'], 'application/json; charset=utf-8', p);
      assert.equal(JSON.parse(res.text).error_code, 'ModelArts.0302', p);
    }
  });

  it('keeps the API on its own paths', async () => {
    assert.equal((await api(t.url, 'GET', '/training-jobs')).status, 200);
    assert.equal((await api(t.url, 'GET', '/no/such/route')).status, 404);
  });

  it('loads nothing from other hosts, so it works offline', async () => {
    const files = (await walkFiles(repoPath('platform', 'console'))).filter((f) => /\.(html|js|css)$/.test(f.relative));
    assert.ok(files.length > 10);
    for (const f of files) {
      const text = await fs.readFile(f.absolute, 'utf8');
      const external = text.match(/(?:src|href|import[^'"]*from)\s*=?\s*["'](?:https?:)?\/\/[^"']+/g) ?? [];
      assert.deepEqual(external, [], path.join('platform/console', f.relative));
      assert.doesNotMatch(text, /@import\s+url\(\s*["']?(https?:)?\/\//, f.relative);
    }
  });
});
