import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api, apiDefaults } from '../helpers/http';
import { testDigits } from '../helpers/mnist-model';
import { deployService, importMnist, predictFile, withHook } from '../helpers/services';

const TOKEN = 'a-long-platform-token';
const APP_CODE = 'app-code-of-the-service';

describe('access: the platform token and per-service app codes', function () {
  this.timeout(120_000);
  let t: TestPlatform;
  let open: any;
  let guarded: any;
  const auth = { 'X-Auth-Token': TOKEN };

  before(async () => {
    t = await startTestPlatform({ AUTH_TOKEN: TOKEN, OBS_SECRET_ACCESS_KEY: 'store-secret-not-for-hooks' });
    apiDefaults.headers = auth;
    const model = await importMnist(t, 'access', 'mnist');
    open = await deployService(t.url, { name: 'open-svc', model_id: model.id });
    guarded = await deployService(t.url, { name: 'guarded-svc', model_id: model.id, app_code: APP_CODE });
  });
  after(async () => {
    apiDefaults.headers = {};
    await t?.close();
  });

  it('answers every API call without the token, or with a wrong one, with 401', async () => {
    for (const [method, p] of [['GET', '/health'], ['GET', '/training-jobs'], ['POST', '/models/import'], ['GET', `/services/${open.id}`], ['GET', '/nope']]) {
      for (const [token, code] of [['', 'ModelArts.0201'], ['wrong-token-value', 'ModelArts.0203'], [TOKEN.slice(0, -1), 'ModelArts.0203']]) {
        const res = await api(t.url, method, p, undefined, { 'X-Auth-Token': token });
        assert.equal(res.status, 401, `${method} ${p}`);
        assert.equal(res.body.error_code, code, 'no token: 0201; a token that is not valid: 0203');
      }
    }
    assert.equal((await api(t.url, 'GET', '/training-jobs')).status, 200);
  });

  it('lets predictions through the gateway in with the token or the service\'s app code', async () => {
    const png = testDigits([0])[0].png;
    assert.equal((await predictFile(`${t.url}/v1/infers/${open.id}/`, png)).status, 401);
    assert.equal((await predictFile(`${t.url}/v1/infers/${open.id}/`, png, { headers: { 'X-Apig-AppCode': 'anything-at-all' } })).status, 401);
    assert.equal((await predictFile(`${t.url}/v1/infers/${open.id}/`, png, { headers: auth })).status, 200);
    assert.equal((await predictFile(`${t.url}/v1/infers/${guarded.id}/`, png, { headers: { 'X-Apig-AppCode': APP_CODE } })).status, 200);
    assert.equal((await predictFile(`${t.url}/v1/infers/nope/`, png)).status, 401, 'no hint whether a service exists');
  });

  it('requires the app code on the service\'s own address when the service has one', async () => {
    const png = testDigits([0])[0].png;
    const without = await predictFile(guarded.access_address, png);
    assert.equal(without.status, 401);
    assert.equal(without.body.error_code, 'MR.0109');
    assert.equal((await predictFile(guarded.access_address, png, { headers: { 'X-Apig-AppCode': 'wrong' } })).status, 401);
    assert.equal((await predictFile(guarded.access_address, png, { headers: { 'X-Apig-AppCode': APP_CODE } })).status, 200);
  });

  it('gives hooks the service envs and none of the platform\'s own secrets', async () => {
    const model = await importMnist(t, 'access', 'env', '1.0.0', async (dir) => {
      await withHook('env-reporter.js')(dir);
      const config = JSON.parse(await fs.readFile(path.join(dir, 'config.json'), 'utf8'));
      config.apis[0].request = { 'Content-type': 'application/json', data: { type: 'object' } };
      delete config.apis[0].response;
      await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
    });
    const service = await deployService(t.url, { name: 'env-svc', model_id: model.id, envs: { MY_SETTING: 'on' } });
    const res = await fetch(service.access_address, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const { env } = (await res.json()) as { env: string[] };
    assert.ok(env.includes('MY_SETTING'));
    for (const secret of ['AUTH_TOKEN', 'OBS_SECRET_ACCESS_KEY', 'OBS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'MA_INSTANCE']) {
      assert.ok(!env.includes(secret), `${secret} must not reach a hook`);
    }
  });
});
