import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { apiDefaults } from '../helpers/http';
import { importMnist, withHook } from '../helpers/services';
import { PROJECT, startSignedPlatform, SignedPlatform, waitForV1Service, withToken } from './helpers';

/** The env-reporter hook answers with its variables' names: each model's instances get their own (config[].envs). */
async function envReporter(dir: string): Promise<void> {
  await withHook('env-reporter.js')(dir);
  const config = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
  config.apis[0].request = { 'Content-type': 'application/json', data: { type: 'object' } };
  delete config.apis[0].response;
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
}

/** Which model answered: the one whose instances have MODEL_A, or MODEL_B. */
function modelOf(answer: { env: string[] }): string {
  return answer.env.includes('MODEL_A') ? 'A' : answer.env.includes('MODEL_B') ? 'B' : '?';
}

/** One request on a connection of its own (the service's port hands connections, not requests, to instances). */
function postOnce(url: string, token: string): Promise<{ env: string[] }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'x-auth-token': token, connection: 'close' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${res.statusCode} ${text}`))));
    });
    req.once('error', reject);
    req.end('{}');
  });
}

describe('a v1 service whose config weighs two models 70/30 (ModelArts canary)', function () {
  this.timeout(180_000);
  let p: SignedPlatform;
  let service: any;

  before(async () => {
    p = await startSignedPlatform();
    // The models come in through the platform's own /models/import, with an IAM token.
    apiDefaults.headers = { 'X-Auth-Token': p.token };
    const a = await importMnist(p.t, 'weights', 'canary', '1.0.0', envReporter);
    const b = await importMnist(p.t, 'weights', 'canary', '2.0.0', envReporter);
    const created = await p.sdk.call('POST', '/v1/{project_id}/services', {
      body: {
        service_name: 'canary', infer_type: 'real-time',
        config: [
          { model_id: a.id, weight: 70, specification: 'modelarts.vm.cpu.2u', instance_count: 2, envs: { MODEL_A: '1' } },
          { model_id: b.id, weight: 30, specification: 'modelarts.vm.cpu.2u', instance_count: 1, envs: { MODEL_B: '1' } },
        ],
      },
    });
    assert.equal(created.status, 200, JSON.stringify(created));
    service = await waitForV1Service(p.sdk, created.body.service_id, ['running', 'failed']);
    assert.equal(service.status, 'running', service.error_msg);
  });
  after(async () => {
    apiDefaults.headers = {};
    await p?.t.close();
  });

  it('lists the models imported through /models/import in the v1 model list', async () => {
    const list = await p.sdk.call('GET', '/v1/{project_id}/models', { query: { model_name: 'cana' } });
    assert.deepEqual(list.body.models.map((m: any) => m.model_version).sort(), ['1.0.0', '2.0.0']);
    assert.equal(list.body.total_count, 2);
  });

  it('shows both models with their weights and their own status', () => {
    assert.deepEqual(service.config.map((c: any) => [c.model_version, c.weight, c.instance_count, c.status]), [
      ['1.0.0', 70, 2, 'running'],
      ['2.0.0', 30, 1, 'running'],
    ]);
  });

  it('splits requests through the gateway 70/30', async () => {
    const counts: Record<string, number> = { A: 0, B: 0 };
    for (let i = 0; i < 100; i++) counts[modelOf(await postOnce(service.access_address, p.token))]++;
    assert.ok(counts.A >= 62 && counts.A <= 78, `A answered ${counts.A} of 100`);
    assert.equal(counts.A + counts.B, 100);
  });

  it("splits connections to the service's own port 70/30", async () => {
    const counts: Record<string, number> = { A: 0, B: 0 };
    for (let i = 0; i < 50; i++) counts[modelOf(await postOnce(service.debug_url, p.token))]++;
    assert.ok(counts.A >= 30 && counts.A <= 40, `A answered ${counts.A} of 50`);
  });

  it('takes a new config with PUT and then sends everything to the one model left', async () => {
    const b = service.config[1];
    const put = await withToken(p.t.url, p.token, 'PUT', `/v1/${PROJECT}/services/${service.service_id}`, { config: [{ model_id: b.model_id, weight: 100, instance_count: 1, envs: { MODEL_B: '1' } }] });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const after = await waitForV1Service(p.sdk, service.service_id, ['running']).then(async function again(s): Promise<any> {
      return s.config.length === 1 ? s : waitForV1Service(p.sdk, service.service_id, ['running']).then(again);
    });
    assert.equal(after.config[0].model_version, '2.0.0');
    for (let i = 0; i < 10; i++) assert.equal(modelOf(await postOnce(after.access_address, p.token)), 'B');
  });

  it('refuses weights that do not add up to 100, and a model used by the service cannot be deleted', async () => {
    const bad = await p.sdk.call('PUT', `/v1/{project_id}/services/${service.service_id}`, {
      body: { config: [{ model_id: service.config[0].model_id, weight: 70 }, { model_id: service.config[1].model_id, weight: 20 }] },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.error?.code, 'ModelArts.0101');
    const inUse = await p.sdk.call('DELETE', `/v1/{project_id}/models/${service.config[1].model_id}`);
    assert.equal(inUse.status, 200);
    assert.equal(inUse.body.delete_failed_list[0].error_code, 'ModelArts.0403');
  });
});
