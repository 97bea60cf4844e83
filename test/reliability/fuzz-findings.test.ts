import assert from 'node:assert/strict';
import { toInputData } from '../../compute/input-values';
import { ApiError } from '../../kernel/errors';
import { api, rawRequest } from '../helpers/http';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { createJob, uploadCode, waitForJob } from '../helpers/jobs';
import { deployService, importMnist } from '../helpers/services';

/**
 * What schemathesis found in the OpenAPI documents' operations (test/fuzz/), each fixed at
 * its cause; these keep them fixed without the fuzzer (docs/reliability.md lists them).
 */
describe('what the fuzzer found, kept fixed', function () {
  this.timeout(120_000);
  let t: TestPlatform;
  let service: any;

  before(async () => {
    t = await startTestPlatform();
    const model = await importMnist(t, 'findings', 'findings');
    service = await deployService(t.url, { name: 'findings', model_id: model.id });
  });

  after(async () => t?.close());

  it('answers a method a control-plane path does not take (TRACE included) with 405 and its methods in Allow, not 500', async () => {
    for (const method of ['TRACE', 'DELETE']) {
      const res = await rawRequest(t.url, method, '/buckets');
      assert.equal(res.status, 405, `${method} /buckets: ${res.text}`);
      assert.equal(res.headers.allow, 'HEAD, GET, POST');
      assert.equal(JSON.parse(res.text).error_code, 'ModelArts.0303');
    }
    assert.equal((await rawRequest(t.url, 'TRACE', '/nothing-here')).status, 404);
    const iam = await rawRequest(t.url, 'TRACE', '/v3/projects');
    assert.equal(iam.status, 405);
    assert.equal(JSON.parse(iam.text).error.title, 'Method Not Allowed', 'IAM errors in their own shape');
  });

  it('lists in Allow the methods of the path asked, not those of a route with a parameter that also matches it', async () => {
    const res = await rawRequest(t.url, 'OPTIONS', '/models/import');
    assert.equal(res.status, 204);
    assert.equal(res.headers.allow, 'POST');
    assert.equal((await rawRequest(t.url, 'OPTIONS', '/models/some-id')).headers.allow, 'HEAD, GET, DELETE');
  });

  it("answers a method a service's paths do not take with 405 and Allow, on its own API, TF Serving's and V2", async () => {
    const base = service.access_address.replace(/\/$/, '');
    const cases: [string, string, string][] = [
      ['TRACE', '/', 'POST'],
      ['GET', '/', 'POST'],
      ['POST', '/health', 'GET'],
      ['DELETE', '/v1/models/findings', 'GET'],
      ['GET', '/v1/models/findings:predict', 'POST'],
      ['POST', '/v2/health/live', 'GET'],
      ['GET', '/v2/models/findings/infer', 'POST'],
    ];
    for (const [method, path, allowed] of cases) {
      const res = await rawRequest(base, method, path);
      assert.equal(res.status, 405, `${method} ${path}: ${res.text}`);
      assert.equal(res.headers.allow, allowed, `${method} ${path}`);
    }
  });

  it('refuses model inputs that float32 or int32 cannot hold, instead of answering with Infinity turned into null', async () => {
    const spec = { name: 'images', dtype: 'float32', shape: [null, 784] };
    const row = new Array(784).fill(0.5);
    row[3] = 4e299;
    assert.throws(() => toInputData(spec, [row], [spec]), (err: ApiError) => err.kind === 'predict_bad_input' && /outside what float32 holds/.test(err.message));
    const ids = { name: 'ids', dtype: 'int32', shape: [null] };
    assert.throws(() => toInputData(ids, [2 ** 40], [ids]), /outside what int32 holds/);
    const res = await api(service.access_address.replace(/\/$/, ''), 'POST', '/v1/models/findings:predict', { instances: [row] });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    const v2 = await api(service.access_address.replace(/\/$/, ''), 'POST', '/v2/models/findings/infer', { inputs: [{ name: 'images', shape: [1, 784], datatype: 'FP32', data: row }] });
    assert.equal(v2.status, 400, JSON.stringify(v2.body));
    assert.match(v2.body.error, /outside what FP32 holds/);
  });

  it('refuses a status filter that is not a status, rather than listing nothing', async () => {
    for (const path of ['/models?status=publised', '/services?status=runing', '/training-jobs?status=Done']) {
      const res = await api(t.url, 'GET', path);
      assert.equal(res.status, 400, path);
      assert.match(res.body.error_msg, /status must be one of/);
    }
    assert.equal((await api(t.url, 'GET', '/services?status=running')).body.total, 1);
  });

  it("deletes a job through ModelArts' v2 API with 202 and no body (not Koa's text \"Accepted\")", async () => {
    await uploadCode(t.store, 'obs://findings/code/', ['exit-3.js']);
    const job = await createJob(t.url, { name: 'to-delete', algorithm: { engine: 'node', code_dir: 'obs://findings/code/', boot_file: 'exit-3.js' }, train_url: 'obs://findings/out/' });
    await waitForJob(t.url, job.id);
    const res = await rawRequest(t.url, 'DELETE', `/v2/modelarts-local/training-jobs/${job.id}`);
    assert.equal(res.status, 202);
    assert.equal(res.text, '');
    assert.equal(res.headers['content-type'], undefined);
  });

  it('says at the field which one of two to give, when a body names both or neither, from the schema the document shows', async () => {
    const neither = await api(t.url, 'POST', '/models/import', { name: 'x', version: '1.0.0' });
    assert.equal(neither.status, 400);
    assert.deepEqual(neither.body.errors, [{ path: 'training_job_id', message: 'is required (or url): give the source as training_job_id (with an optional training_job_version) or as url' }]);
    const both = await api(t.url, 'POST', '/models/import', { name: 'x', version: '1.0.0', url: 'obs://findings/findings-1.0.0/', training_job_id: 'j' });
    assert.deepEqual(both.body.errors, [{ path: 'url', message: 'give the source as training_job_id or as url, not both' }]);
    const job = await api(t.url, 'POST', '/training-jobs', { name: 'j', algorithm: { engine: 'node', code_dir: 'obs://findings/code/', boot_file: 'x.js' }, data_url: 'obs://findings/d/', inputs: [{ name: 'd', url: 'obs://findings/d/' }] });
    assert.deepEqual(job.body.errors, [{ path: 'inputs', message: 'give data_url or inputs, not both' }, { path: 'train_url', message: "is required (or outputs): where the job's files are saved" }]);
  });
});
