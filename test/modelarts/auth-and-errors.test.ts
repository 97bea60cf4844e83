import assert from 'node:assert/strict';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { passwordBody, SdkClient, signHeaders } from '../helpers/huawei-sdk';
import { EMBEDDED_ACCESS_KEY_ID, EMBEDDED_SECRET_ACCESS_KEY } from '../../kernel/config';
import { uploadCode } from '../helpers/jobs';
import { waitFor } from '../helpers/http';
import { PASSWORD, PROJECT, startSignedPlatform, SignedPlatform, USER, withToken } from './helpers';
import { setTimeout as sleep } from 'node:timers/promises';

async function plain(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe("ModelArts' API: credentials as Huawei's SDKs send them, and errors in ModelArts' shapes", function () {
  this.timeout(60_000);
  let p: SignedPlatform;

  before(async () => {
    p = await startSignedPlatform();
  });
  after(async () => p?.t.close());

  it('answers a call without credentials with 401 ModelArts.0201, in the shape of its API family', async () => {
    const v2 = await plain(`${p.t.url}/v2/${PROJECT}/training-job-engines`);
    assert.equal(v2.status, 401);
    assert.equal(v2.body.error_code, 'ModelArts.0201');
    assert.ok(v2.body.error_msg && v2.body.error_solution, 'v2 errors carry error_solution');
    const v1 = await plain(`${p.t.url}/v1/${PROJECT}/models`);
    assert.deepEqual(Object.keys(v1.body).sort(), ['error_code', 'error_msg']);
    const v1Training = await plain(`${p.t.url}/v1/${PROJECT}/training-jobs`);
    assert.equal(v1Training.body.is_success, false);
    assert.equal(v1Training.body.error_code, 'ModelArts.0201');
    assert.ok(v1Training.body.error_message);
  });

  it('refuses a signature made with the wrong secret (0203) and one made too long ago (0202)', async () => {
    const wrong = new SdkClient({ endpoint: p.t.url, ak: EMBEDDED_ACCESS_KEY_ID, sk: 'not-the-secret', projectId: PROJECT });
    const res = await wrong.call('GET', '/v1/{project_id}/models');
    assert.deepEqual([res.status, res.error?.code], [401, 'ModelArts.0203']);
    const unknown = new SdkClient({ endpoint: p.t.url, ak: 'SOMEONE-ELSE', sk: EMBEDDED_SECRET_ACCESS_KEY, projectId: PROJECT });
    assert.equal((await unknown.call('GET', '/v1/{project_id}/models')).error?.code, 'ModelArts.0203');
    const url = `${p.t.url}/v1/${PROJECT}/models`;
    const old = signHeaders({ method: 'GET', url, ak: EMBEDDED_ACCESS_KEY_ID, sk: EMBEDDED_SECRET_ACCESS_KEY, headers: { 'X-Sdk-Date': '20200101T000000Z' } });
    const stale = await plain(url, { headers: old });
    assert.deepEqual([stale.status, stale.body.error_code], [401, 'ModelArts.0202']);
  });

  it('checks the body a signature covers: a body changed after signing is refused', async () => {
    const url = `${p.t.url}/v2/${PROJECT}/training-job-searches`;
    const signed = signHeaders({ method: 'POST', url, ak: EMBEDDED_ACCESS_KEY_ID, sk: EMBEDDED_SECRET_ACCESS_KEY, body: { limit: 5 }, headers: { 'content-type': 'application/json' } });
    assert.equal((await plain(url, { method: 'POST', headers: signed, body: JSON.stringify({ limit: 5 }) })).status, 200);
    const changed = await plain(url, { method: 'POST', headers: signed, body: JSON.stringify({ limit: 6 }) });
    assert.deepEqual([changed.status, changed.body.error_code], [401, 'ModelArts.0203']);
  });

  it('signs queries as the SDK sorts and encodes them', async () => {
    const res = await p.sdk.call('GET', '/v1/{project_id}/models', { query: { model_name: 'a name with spaces/ü', order: 'asc', limit: 3 } });
    assert.deepEqual([res.status, res.body.count], [200, 0]);
  });

  it('issues IAM tokens to configured users only, answering a wrong password as IAM does', async () => {
    const wrong = await plain(`${p.t.url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(passwordBody(USER, 'not-the-password')) });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error.code, 401);
    assert.ok(wrong.body.error.message);
    const ok = await fetch(`${p.t.url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(passwordBody(USER, PASSWORD)) });
    const body = (await ok.json()) as any;
    assert.equal(ok.status, 201);
    assert.equal(body.token.project.id, PROJECT);
    assert.ok(ok.headers.get('x-subject-token')!.startsWith('MII'));
    assert.equal((await withToken(p.t.url, 'MIIxyz.abc', 'GET', `/v1/${PROJECT}/models`)).body.error_code, 'ModelArts.0203');
  });

  it("finds the project for an SDK given only a region, through GET /v3/projects?name=, as the SDKs do", async () => {
    const byRegion = new SdkClient({ endpoint: p.t.url, ak: EMBEDDED_ACCESS_KEY_ID, sk: EMBEDDED_SECRET_ACCESS_KEY, region: 'cn-north-4' });
    assert.equal((await byRegion.call('GET', '/v2/{project_id}/training-job-flavors')).status, 200);
    const other = await p.sdk.call('GET', '/v3/projects', { query: { name: 'eu-west-101' } });
    assert.deepEqual(other.body.projects, []);
  });

  it('refuses another project, in the path or in X-Project-Id, with 403 ModelArts.0212', async () => {
    assert.equal((await withToken(p.t.url, p.token, 'GET', '/v1/someone-elses-project/models')).body.error_code, 'ModelArts.0212');
    const res = await p.sdk.call('GET', '/v1/{project_id}/models', { headers: { 'X-Project-Id': 'someone-elses-project' } });
    assert.deepEqual([res.status, res.error?.code], [403, 'ModelArts.0212']);
  });

  it('answers bad bodies with 400 ModelArts.0101 naming each problem', async () => {
    const job = await p.sdk.call('POST', '/v2/{project_id}/training-jobs', { body: { kind: 'job', metadata: { name: 'bad job' }, algorithm: { boot_file: 'x.py' } } });
    assert.deepEqual([job.status, job.error?.code], [400, 'ModelArts.0101']);
    const raw = await withToken(p.t.url, p.token, 'POST', `/v2/${PROJECT}/training-jobs`, { metadata: { name: 'bad job' }, algorithm: { boot_file: 'x.py' } });
    assert.deepEqual(raw.body.errors.map((e: any) => e.path).sort(), ['algorithm.code_dir', 'algorithm.outputs', 'metadata.name']);
    const image = await p.sdk.call('POST', '/v2/{project_id}/training-jobs', {
      body: { metadata: { name: 'img' }, algorithm: { code_dir: '/b/c/', boot_file: '/b/c/t.py', engine: { image_url: 'swr/x:1' }, outputs: [{ name: 'o', remote: { obs: { obs_url: '/b/o/' } } }] } },
    });
    assert.equal(image.status, 400);
    const search = await p.sdk.call('POST', '/v2/{project_id}/training-job-searches', { body: { limit: 51 } });
    assert.equal(search.status, 400);
    const model = await p.sdk.call('POST', '/v1/{project_id}/models', { body: { model_name: 'm', model_version: '1.0.0', source_location: '/b/m/', source_job_id: 'j' } });
    assert.deepEqual([model.status, model.error?.code], [400, 'ModelArts.0101']);
    const service = await p.sdk.call('POST', '/v1/{project_id}/services', { body: { service_name: 's', infer_type: 'batch', config: [{ model_id: 'x' }] } });
    assert.equal(service.status, 400);
  });

  it('answers every listing and the terminate action alike to a signed call and to a token', async () => {
    await uploadCode(p.t.store, 'obs://auth-jobs/code/', ['hang.js']);
    const job = await p.sdk.call('POST', '/v2/{project_id}/training-jobs', {
      body: { metadata: { name: 'hangs' }, algorithm: { code_dir: '/auth-jobs/code/', boot_file: '/auth-jobs/code/hang.js', engine: { engine_name: 'Node.js' }, outputs: [{ name: 'train_url', remote: { obs: { obs_url: '/auth-jobs/out/' } } }] } },
    });
    assert.equal(job.status, 201, JSON.stringify(job));
    const id = job.body.metadata.id;
    const search = { filters: [{ key: 'phase', operator: 'in', value: ['Creating', 'Pending', 'Running'] }, { key: 'name', operator: 'like', value: ['hang'] }], limit: 10 };
    const calls: [string, string, unknown?][] = [
      ['GET', '/v2/{project_id}/training-job-engines'],
      ['GET', '/v2/{project_id}/training-job-flavors'],
      ['POST', '/v2/{project_id}/training-job-searches', search],
      ['GET', '/v1/{project_id}/models'],
      ['GET', '/v1/{project_id}/services'],
    ];
    for (const [method, path, body] of calls) {
      const signed = await p.sdk.call(method, path, { body });
      const tokened = await withToken(p.t.url, p.token, method, path.replace('{project_id}', PROJECT), body);
      assert.deepEqual([signed.status, tokened.status], [200, 200], path);
      assert.deepEqual(Object.keys(signed.body).sort(), Object.keys(tokened.body).sort(), path);
    }
    assert.deepEqual((await p.sdk.call('POST', '/v2/{project_id}/training-job-searches', { body: search })).body.items.map((j: any) => j.metadata.id), [id]);
    await waitFor('the job to run', async () => ((await p.sdk.call('GET', `/v2/{project_id}/training-jobs/${id}`)).body.status.phase === 'Running' ? true : undefined));
    const stop = await withToken(p.t.url, p.token, 'POST', `/v2/${PROJECT}/training-jobs/${id}/actions`, { action_type: 'terminate' });
    assert.equal(stop.status, 202);
    const ended = await waitFor('the job to end', async () => {
      const phase = (await p.sdk.call('GET', `/v2/{project_id}/training-jobs/${id}`)).body.status.phase;
      return phase === 'Terminated' ? phase : undefined;
    });
    assert.equal(ended, 'Terminated');
    const again = await p.sdk.call('POST', `/v2/{project_id}/training-jobs/${id}/actions`, { body: { action_type: 'terminate' } });
    assert.deepEqual([again.status, again.error?.code], [409, 'ModelArts.0402']);
  });

  it("gives a v2 job its environments and writes its outputs into the output folder itself", async () => {
    await uploadCode(p.t.store, 'obs://env-jobs/code/', ['echo-args.js']);
    await p.t.store.put({ bucket: 'env-jobs', key: 'data/x.txt' }, 'x');
    const job = await p.sdk.call('POST', '/v2/{project_id}/training-jobs', {
      body: {
        metadata: { name: 'env-job' },
        algorithm: {
          code_dir: '/env-jobs/code/', boot_file: '/env-jobs/code/echo-args.js', engine: { engine_id: 'node-20' }, environments: { MA_CUSTOM_SETTING: 'on' },
          inputs: [{ name: 'data_url', remote: { obs: { obs_url: '/env-jobs/data/' } } }],
          outputs: [{ name: 'train_url', remote: { obs: { obs_url: '/env-jobs/out/' } } }],
        },
      },
    });
    const id = job.body.metadata.id;
    const phase = await waitFor('the job to end', async () => {
      const s = (await p.sdk.call('GET', `/v2/{project_id}/training-jobs/${id}`)).body.status;
      return ['Completed', 'Failed'].includes(s.phase) ? s.phase : undefined;
    });
    assert.equal(phase, 'Completed');
    const seen = JSON.parse((await p.t.store.getBuffer({ bucket: 'env-jobs', key: 'out/seen.json' }, 1e6)).toString());
    assert.equal(seen.env.MA_CUSTOM_SETTING, 'on');
    assert.equal(seen.env.MA_TRAINING_JOB_ID, id, "the platform's variables stay");
  });

  it('answers unknown ids with 404 ModelArts.0301', async () => {
    for (const path of ['/v2/{project_id}/training-jobs/nope', '/v1/{project_id}/models/nope', '/v1/{project_id}/services/nope']) {
      const res = await p.sdk.call('GET', path);
      assert.deepEqual([res.status, res.error?.code], [404, 'ModelArts.0301'], path);
    }
  });
});

describe("ModelArts' API with nothing configured, and tokens that expire", function () {
  this.timeout(60_000);
  let t: TestPlatform;
  after(async () => t?.close());

  it('stays open for local use when no token, keys or users are configured', async () => {
    t = await startTestPlatform({});
    assert.equal((await plain(`${t.url}/v2/modelarts-local/training-job-engines`)).status, 200);
    await t.close();
  });

  it('answers an expired IAM token with 401 ModelArts.0202', async () => {
    t = await startTestPlatform({ IAM_USERS: `${USER}:${PASSWORD}`, TOKEN_TTL_SECONDS: '1' });
    const res = await fetch(`${t.url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(passwordBody(USER, PASSWORD)) });
    const token = res.headers.get('x-subject-token')!;
    assert.equal((await withToken(t.url, token, 'GET', '/v1/modelarts-local/models')).status, 200);
    await sleep(1100);
    const expired = await withToken(t.url, token, 'GET', '/v1/modelarts-local/models');
    assert.deepEqual([expired.status, expired.body.error_code], [401, 'ModelArts.0202']);
  });
});
