import assert from 'node:assert/strict';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';

describe('the control plane', function () {
  this.timeout(60_000);
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform();
  });
  after(async () => t?.close());

  it('answers /health with the storage endpoint and the compute backend', async () => {
    const res = await api(t.url, 'GET', '/health');
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'ok');
    assert.equal(res.body.storage.embedded, true);
    assert.equal(res.body.storage.reachable, true);
    assert.equal(res.body.storage.endpoint, t.platform.context.storageEndpoint);
    assert.ok(['native', 'tensorflow', 'wasm', 'cpu'].includes(res.body.compute.backend));
    assert.equal(typeof res.body.compute.description, 'string');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await api(t.url, 'GET', '/no/such/route');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { error_code: 'ModelArts.0302', error_msg: 'no API route GET /no/such/route; docs/api.md lists the API' });
  });

  it('answers a body that is not JSON with 400 and the parse error', async () => {
    const res = await api(t.url, 'POST', '/training-jobs', '{"name": ');
    assert.equal(res.status, 400);
    assert.equal(res.body.error_code, 'ModelArts.0102');
    assert.match(res.body.error_msg, /not valid JSON: Unexpected end of JSON input/);
  });

  it('refuses a body over the limit with 413 without reading it all', async () => {
    const res = await api(t.url, 'POST', '/training-jobs', JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }));
    assert.equal(res.status, 413);
    assert.equal(res.body.error_code, 'ModelArts.0103');
  });

  it('answers an id that does not exist with 404 naming it', async () => {
    for (const path of ['/training-jobs/nope', '/models/nope', '/services/nope']) {
      const res = await api(t.url, 'GET', path);
      assert.equal(res.status, 404, path);
      assert.match(res.body.error_msg, /"nope" does not exist/);
    }
  });

  it('answers a wrong method with 405', async () => {
    const res = await api(t.url, 'PUT', '/training-jobs');
    assert.equal(res.status, 405);
    assert.equal(res.body.error_code, 'ModelArts.0303');
  });

  it('answers no browser page when CORS_ALLOW_ORIGINS is not set', async () => {
    const res = await fetch(`${t.url}/training-jobs`, { headers: { Origin: 'http://localhost:5173' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });
});

describe('the control plane with CORS_ALLOW_ORIGINS=localhost', function () {
  this.timeout(60_000);
  let t: TestPlatform;
  before(async () => {
    t = await startTestPlatform({ CORS_ALLOW_ORIGINS: 'localhost' });
  });
  after(async () => t?.close());

  it('answers preflights of localhost pages for every API method, and refuses other origins', async () => {
    const preflight = (origin: string) =>
      fetch(`${t.url}/training-jobs/x/versions`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
      });
    const ok = await preflight('http://127.0.0.1:5173');
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'http://127.0.0.1:5173');
    assert.equal(ok.headers.get('access-control-allow-methods'), 'GET, POST, DELETE, OPTIONS');
    assert.equal(ok.headers.get('access-control-allow-headers'), 'content-type');
    const refused = await preflight('http://evil.example');
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
  });

  it('marks answers, errors included, as readable by the allowed page', async () => {
    const res = await fetch(`${t.url}/training-jobs/nope`, { headers: { Origin: 'http://localhost:8000' } });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:8000');
    assert.match(((await res.json()) as { error_msg: string }).error_msg, /does not exist/);
  });
});
