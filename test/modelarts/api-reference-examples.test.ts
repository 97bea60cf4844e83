import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { api, apiDefaults, waitFor } from '../helpers/http';
import { createJob, uploadCode, waitForJob } from '../helpers/jobs';
import { testDigits, trainedMnistPackage, uploadFolder } from '../helpers/mnist-model';
import { importMnist } from '../helpers/services';
import * as ex from './api-reference-examples';

const PROJECT = 'modelarts-local';
const BUCKET = 'api-examples';

/**
 * ModelArts' API reference, call by call: each published request example is sent as printed
 * (endpoint and project id substituted, and an example resource id where the page names one),
 * and the answer is checked against the documented one — or, for what the platform does not
 * run (saved algorithms, custom images, edge services), against the refusal
 * docs/modelarts-api.md documents.
 */
describe("ModelArts' API reference examples, sent as published", function () {
  this.timeout(180_000);
  let t: TestPlatform;
  let model: any;
  let spare: any;
  let finished: any;

  before(async () => {
    t = await startTestPlatform({ IAM_USERS: 'user_name:user_password', PROJECT_NAME: 'project_name' });
    const token = await fetch(`${t.url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ex.GET_TOKEN) });
    apiDefaults.headers = { 'X-Auth-Token': token.headers.get('x-subject-token') ?? '' };
    model = await importMnist(t, BUCKET, 'examples-model');
    spare = await importMnist(t, BUCKET, 'examples-model', '2.0.0');
    await uploadCode(t.store, `obs://${BUCKET}/code/`, ['sleeper.py', 'echo-args.js']);
    await t.store.put({ bucket: BUCKET, key: 'data/x.txt' }, 'x');
    const job = await createJob(t.url, {
      name: 'trainjob-examples',
      algorithm: { engine: 'node', code_dir: `obs://${BUCKET}/code/`, boot_file: 'echo-args.js' },
      data_url: `obs://${BUCKET}/data/`,
      train_url: `obs://${BUCKET}/out/`,
    });
    finished = await waitForJob(t.url, job.id);
  });

  after(async () => {
    apiDefaults.headers = {};
    await t?.close();
  });

  const v2 = (p: string) => `/v2/${PROJECT}${p}`;
  const v1 = (p: string) => `/v1/${PROJECT}${p}`;

  describe('IAM', () => {
    it('POST /v3/auth/tokens: 201 with the token in X-Subject-Token, which GET /v3/projects accepts', async () => {
      const res = await fetch(`${t.url}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ex.GET_TOKEN) });
      assert.equal(res.status, 201);
      assert.ok(res.headers.get('x-subject-token'));
      // api-ref/source/appendix/obtaining_a_project_id_and_name.rst: "GET https://{iam-endpoint}/v3/projects".
      const projects = await api(t.url, 'GET', '/v3/projects');
      assert.equal(projects.status, 200);
      assert.deepEqual(projects.body.projects.map((p: any) => [p.id, p.name]), [[PROJECT, 'project_name']]);
    });
  });

  describe('training jobs (v2)', () => {
    it('CreateTrainingJob with a saved algorithm or a custom image: 400, naming what to give instead', async () => {
      for (const body of [ex.CREATE_TRAINING_JOB_BY_ALGORITHM_ID, ex.CREATE_TRAINING_JOB_CUSTOM_IMAGE]) {
        const res = await api(t.url, 'POST', v2('/training-jobs'), body);
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.error_code, 'ModelArts.0101');
        assert.ok(res.body.errors.some((e: any) => e.path === 'algorithm.code_dir' && /algorithm ids, subscriptions and commands are not run here; give code_dir and boot_file/.test(e.message)), JSON.stringify(res.body.errors));
      }
    });

    it('ListTrainingJobs with the published filters: 200, the one job whose name has "trainjob"', async () => {
      const res = await api(t.url, 'POST', v2('/training-job-searches?limit=1'), ex.LIST_TRAINING_JOBS);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual([res.body.total, res.body.count, res.body.limit, res.body.offset, res.body.sort_by, res.body.order], [1, 1, 1, 0, 'create_time', 'desc']);
      assert.equal(res.body.items[0].metadata.name, 'trainjob-examples');
    });

    it('ShowTrainingJobDetails, ShowTrainingJobLogsPreview, the log\'s OBS URL and ShowTrainingJobMetrics of worker-0: 200', async () => {
      const id = finished.id;
      const shown = await api(t.url, 'GET', v2(`/training-jobs/${id}`));
      assert.equal(shown.status, 200);
      assert.deepEqual([shown.body.kind, shown.body.metadata.id, shown.body.status.phase, shown.body.status.tasks], ['job', id, 'Completed', ['worker-0']]);
      const preview = await api(t.url, 'GET', v2(`/training-jobs/${id}/tasks/worker-0/logs/preview`));
      assert.equal(preview.status, 200);
      assert.match(preview.body.content, /wrote seen\.json/);
      const url = await api(t.url, 'GET', v2(`/training-jobs/${id}/tasks/worker-0/logs/url?Content-Type=text/plain`));
      assert.equal(url.status, 200);
      assert.match(await (await fetch(url.body.obs_url)).text(), /wrote seen\.json/);
      const metrics = await api(t.url, 'GET', v2(`/training-jobs/${id}/metrics/worker-0`));
      assert.equal(metrics.status, 200);
      assert.ok(Array.isArray(metrics.body.metrics));
    });

    it('the engines and the CPU flavors: 200', async () => {
      const engines = await api(t.url, 'GET', v2('/training-job-engines'));
      assert.equal(engines.status, 200);
      assert.ok(engines.body.items.length > 0 && engines.body.items.every((e: any) => e.engine_id && e.engine_name && e.engine_version));
      const flavors = await api(t.url, 'GET', v2('/training-job-flavors?flavor_type=CPU'));
      assert.equal(flavors.status, 200);
      assert.ok(flavors.body.flavors.every((f: any) => f.flavor_type === 'CPU'));
    });

    it('terminates a running job with the published action (202, Terminating), then deletes it (202)', async () => {
      const job = await createJob(t.url, {
        name: 'trainjob-running',
        algorithm: { engine: 'python', code_dir: `obs://${BUCKET}/code/`, boot_file: 'sleeper.py' },
        data_url: `obs://${BUCKET}/data/`,
        train_url: `obs://${BUCKET}/running/`,
      });
      await waitForJob(t.url, job.id, ['Running']);
      const stopped = await api(t.url, 'POST', v2(`/training-jobs/${job.id}/actions`), ex.TERMINATE_TRAINING_JOB);
      assert.equal(stopped.status, 202);
      assert.ok(['Terminating', 'Terminated'].includes(stopped.body.status.phase), stopped.body.status.phase);
      await waitForJob(t.url, job.id);
      const deleted = await api(t.url, 'DELETE', v2(`/training-jobs/${job.id}`));
      assert.equal(deleted.status, 202);
      assert.equal((await api(t.url, 'GET', v2(`/training-jobs/${job.id}`))).status, 404);
    });
  });

  describe('models (v1)', () => {
    let created: string;

    it('CreateModel with source_location (an https OBS address) and source_job_id together: 200 {model_id}, the folder imported, the job kept for tracing', async () => {
      // The example's https://models.obs.cn-north-4.myhuaweicloud.com/mnist names bucket "models", folder mnist/.
      const dir = await tempDir('examples-package');
      await fs.cp(await trainedMnistPackage(), dir, { recursive: true });
      assert.ok((await fs.readdir(path.join(dir, 'model'))).includes('config.json'));
      await uploadFolder(t.store, dir, 'obs://models/mnist/');
      const res = await api(t.url, 'POST', v1('/models'), ex.CREATE_MODEL);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(Object.keys(res.body), ['model_id']);
      created = res.body.model_id;
      const shown = await api(t.url, 'GET', v1(`/models/${created}`));
      assert.equal(shown.status, 200);
      assert.deepEqual([shown.body.model_name, shown.body.model_version, shown.body.source_location], ['mnist', '1.0.0', '/models/mnist/']);
      assert.deepEqual([shown.body.source_job_id, shown.body.source_job_version], ['55', 'V100']);
    });

    it('ListModels: 200 with total_count, count and models; DeleteModel: 200 with delete_success_list', async () => {
      const listed = await api(t.url, 'GET', v1('/models'));
      assert.equal(listed.status, 200);
      assert.equal(listed.body.total_count, 3);
      assert.ok(listed.body.models.some((m: any) => m.model_id === created));
      const deleted = await api(t.url, 'DELETE', v1(`/models/${created}`));
      assert.equal(deleted.status, 200);
      assert.deepEqual(deleted.body.delete_success_list, [created]);
    });
  });

  describe('services (v1)', () => {
    const deleteService = async (id: string) => {
      const res = await api(t.url, 'DELETE', v1(`/services/${id}`));
      assert.equal(res.status, 200, JSON.stringify(res.body));
    };

    it('CreateService, each real-time example (weights as numbers and as strings, custom spec, auto stop): 200 {service_id, resource_ids}', async () => {
      for (const body of [ex.CREATE_SERVICE.realTime(model.id), ex.CREATE_SERVICE.twoVersions(model.id, spare.id), ex.CREATE_SERVICE.customSpec(model.id), ex.CREATE_SERVICE.autoStop(model.id)]) {
        const res = await api(t.url, 'POST', v1('/services'), body);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.ok(res.body.service_id && Array.isArray(res.body.resource_ids));
        const shown = await api(t.url, 'GET', v1(`/services/${res.body.service_id}`));
        assert.equal(shown.status, 200);
        assert.deepEqual(shown.body.config.map((c: any) => Number(c.weight)), body.config.map((c: any) => Number(c.weight)));
        await deleteService(res.body.service_id);
      }
    });

    it('CreateService for edge: 400 naming infer_type, as documented', async () => {
      const res = await api(t.url, 'POST', v1('/services'), ex.CREATE_SERVICE.edge);
      assert.equal(res.status, 400);
      assert.ok(res.body.errors.some((e: any) => e.path === 'infer_type'), JSON.stringify(res.body));
    });

    it('CreateService for batch (mapping_type file), with its OBS addresses as printed: the batch runs to finished', async () => {
      // The example's bucket, holding one digit; only the model id is this platform's.
      await t.store.ensureBucket('infers-data');
      await t.store.put({ bucket: 'infers-data', key: 'xgboosterdata/digit.png' }, testDigits([0])[0].png);
      const body = structuredClone(ex.CREATE_SERVICE.batchFile);
      body.config[0].model_id = model.id;
      const res = await api(t.url, 'POST', v1('/services'), body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const done = await waitFor('the batch to finish', async () => {
        const shown = (await api(t.url, 'GET', v1(`/services/${res.body.service_id}`))).body;
        return ['finished', 'failed'].includes(shown.status) ? shown : undefined;
      }, 60_000);
      assert.deepEqual([done.status, done.infer_type, done.invocation_times, done.failed_times], ['finished', 'batch', 1, 0]);
      assert.equal(done.config[0].dest_path, 'https://infers-data.obs.xxxxx.com/output/');
      assert.equal((await t.store.listAll({ bucket: 'infers-data', key: 'output/' })).length, 2, 'the manifest and one result file');
      await deleteService(res.body.service_id);
    });

    it('ListServices, ShowService, UpdateService with the published body, DeleteService: 200', async () => {
      const created = await api(t.url, 'POST', v1('/services'), ex.CREATE_SERVICE.realTime(model.id));
      const id = created.body.service_id;
      const listed = await api(t.url, 'GET', v1('/services'));
      assert.equal(listed.status, 200);
      assert.deepEqual([listed.body.total_count, listed.body.services[0].service_id], [1, id]);
      await waitFor('the service to run', async () => ((await api(t.url, 'GET', v1(`/services/${id}`))).body.status === 'running' ? true : undefined), 60_000);
      const updated = await api(t.url, 'PUT', v1(`/services/${id}`), ex.UPDATE_SERVICE(spare.id));
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      const shown = await waitFor('the update to take', async () => {
        const s = (await api(t.url, 'GET', v1(`/services/${id}`))).body;
        return s.status === 'running' && s.config[0].model_id === spare.id ? s : undefined;
      }, 60_000);
      assert.equal(shown.config[0].model_id, spare.id);
      await deleteService(id);
      assert.equal((await api(t.url, 'GET', v1(`/services/${id}`))).status, 404);
    });
  });
});
