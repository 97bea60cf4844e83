import assert from 'node:assert/strict';
import path from 'node:path';
import { gzipMnistTo } from '../../samples/mnist/dataset';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { api, waitFor } from '../helpers/http';
import { createJob, processAlive, uploadCode, waitForJob } from '../helpers/jobs';

const BUCKET = 'jobs-test';
const CODE = `obs://${BUCKET}/code/`;
const DATA = `obs://${BUCKET}/data/`;

describe('training jobs', function () {
  this.timeout(180_000);
  let t: TestPlatform;

  before(async () => {
    t = await startTestPlatform({ STOP_GRACE_MS: '1500', MAX_LOG_BYTES: '262144' });
    await uploadCode(t.store, CODE, ['tiny-tfjs-train.js', 'echo-args.js', 'exit-3.js', 'hang.js', 'ignore-sigterm.js', 'flood.js', 'train.py']);
    const gz = await gzipMnistTo(await tempDir('mnist-gz'));
    for (const file of gz.filter((f) => path.basename(f).startsWith('train-'))) {
      await t.store.putFile({ ...parseObsUrl(DATA), key: `data/${path.basename(file)}` }, file);
    }
  });

  after(async () => t?.close());

  function job(name: string, boot: string, opts: { engine?: string; parameters?: { name: string; value: unknown }[] } = {}) {
    return {
      name,
      algorithm: { engine: opts.engine ?? 'tfjs', code_dir: CODE, boot_file: boot, parameters: opts.parameters },
      data_url: DATA,
      train_url: `obs://${BUCKET}/out/${name}/`,
    };
  }

  it('trains a tfjs boot file on real MNIST and writes its model under V0001/', async () => {
    const created = await createJob(t.url, job('tiny-mnist', 'tiny-tfjs-train.js', { parameters: [{ name: 'max_steps', value: 15 }] }));
    assert.equal(created.version, 'V0001');
    assert.ok(['Pending', 'Running'].includes(created.status));
    assert.deepEqual(created.algorithm.parameters, [{ name: 'max_steps', value: '15' }]);
    const done = await waitForJob(t.url, created.id);
    assert.equal(done.status, 'Completed', JSON.stringify(done.versions[0]));
    const keys = (await t.store.listAll(parseObsUrl(`obs://${BUCKET}/out/tiny-mnist/V0001/`))).map((o) => o.key);
    assert.ok(keys.includes('out/tiny-mnist/V0001/model/model.json'), keys.join(','));
    assert.ok(keys.includes('out/tiny-mnist/V0001/model/weights.bin'));
    assert.ok(keys.some((k) => k.startsWith('out/tiny-mnist/V0001/logs/')), 'the log is uploaded next to the outputs');
    const metrics = (await api(t.url, 'GET', `/training-jobs/${created.id}/metrics`)).body;
    assert.equal(metrics.metrics.length, 15);
    assert.ok(metrics.metrics[14].accuracy > metrics.metrics[0].accuracy, 'accuracy improves on real digits');
    const v = done.versions[0];
    assert.equal(v.exit_code, 0);
    assert.ok(v.phases.Pending && v.phases.Running && v.phases.Completed);
    assert.ok(v.duration_ms > 0);
    assert.equal(v.last_metrics.step, 15);

    const second = await api(t.url, 'POST', `/training-jobs/${created.id}/versions`, { parameters: [{ name: 'max_steps', value: '3' }] });
    assert.equal(second.status, 201);
    assert.equal(second.body.created_version.version, 'V0002');
    const done2 = await waitForJob(t.url, created.id, undefined, 'V0002');
    assert.equal(done2.versions[1].status, 'Completed');
    assert.deepEqual(done2.versions[1].parameters, [{ name: 'max_steps', value: '3' }]);
    assert.ok(await t.store.head(parseObsUrl(`obs://${BUCKET}/out/tiny-mnist/V0002/model/model.json`)));
    const m2 = (await api(t.url, 'GET', `/training-jobs/${created.id}/metrics?version=V0002`)).body;
    assert.equal(m2.metrics.length, 3);
  });

  it('gives the boot file its local dirs, parameters and the ModelArts variables, and nothing of the platform secrets', async () => {
    const created = await createJob(t.url, job('echo-args', 'echo-args.js', { parameters: [{ name: 'lr', value: 0.01 }] }));
    const done = await waitForJob(t.url, created.id);
    assert.equal(done.status, 'Completed', done.versions[0].reason);
    const seen = JSON.parse((await t.store.getBuffer(parseObsUrl(`obs://${BUCKET}/out/echo-args/V0001/seen.json`), 1e6)).toString());
    assert.match(seen.args.data_url, /modelarts\/inputs\/data_url_0\/$/);
    assert.match(seen.args.train_url, /modelarts\/outputs\/train_url_0\/$/);
    assert.equal(seen.args.lr, '0.01');
    assert.deepEqual(seen.inputs, ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
    assert.ok(seen.code.includes('echo-args.js'));
    assert.equal(seen.env.DLS_TASK_INDEX, '0');
    assert.equal(seen.env.DLS_TASK_NUMBER, '1');
    assert.equal(seen.env.MA_NUM_HOSTS, '1');
    assert.equal(seen.env.DLS_DATA_URL, DATA);
    assert.equal(seen.env.DLS_TRAIN_URL, `obs://${BUCKET}/out/echo-args/V0001/`);
    assert.equal(seen.env.S3_ENDPOINT, t.platform.context.storageEndpoint);
    assert.ok(seen.env.MA_JOB_DIR && seen.env.MA_LOG_DIR);
    assert.equal(seen.env.AUTH_TOKEN, undefined);
  });

  it('runs a Python boot file with python3', async () => {
    const created = await createJob(t.url, job('python-job', 'train.py', { engine: 'python', parameters: [{ name: 'epochs', value: '2' }] }));
    const done = await waitForJob(t.url, created.id);
    assert.equal(done.status, 'Completed', done.versions[0].reason);
    const result = JSON.parse((await t.store.getBuffer(parseObsUrl(`obs://${BUCKET}/out/python-job/V0001/result.json`), 1e6)).toString());
    assert.deepEqual(result, { files: ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'], epochs: '2' });
    const metrics = (await api(t.url, 'GET', `/training-jobs/${created.id}/metrics`)).body.metrics;
    assert.deepEqual(metrics.map((m: any) => m.step), [1, 2, 3]);
    const log = (await api(t.url, 'GET', `/training-jobs/${created.id}/logs`)).body;
    assert.match(log, /python finished with 2 input files/);
  });

  it('marks a boot file that exits 3 as Failed with the exit code and its last log lines', async () => {
    const created = await createJob(t.url, job('exits-3', 'exit-3.js'));
    const done = await waitForJob(t.url, created.id);
    const v = done.versions[0];
    assert.equal(v.status, 'Failed');
    assert.equal(v.exit_code, 3);
    assert.match(v.reason, /exited with code 3/);
    assert.match(v.reason, /ValueError: the learning rate must be positive/);
    assert.match(v.reason, /step 30/);
  });

  it('stops a hanging job: Terminating, then Terminated, and its process is gone', async () => {
    const created = await createJob(t.url, job('hangs', 'hang.js'));
    const running = await waitForJob(t.url, created.id, ['Running'], undefined, 30_000);
    const pid = await waitPid(created.id);
    assert.ok(processAlive(pid));
    const stopped = await api(t.url, 'POST', `/training-jobs/${created.id}/stop`);
    assert.equal(stopped.status, 200);
    const done = await waitForJob(t.url, created.id);
    assert.equal(done.status, 'Terminated');
    assert.ok(done.versions[0].phases.Terminating, 'passed through Terminating');
    assert.equal(done.versions[0].signal, 'SIGTERM');
    assert.equal(processAlive(pid), false);
    assert.ok(running);
    const again = await api(t.url, 'POST', `/training-jobs/${created.id}/stop`);
    assert.equal(again.status, 409);
    assert.equal(again.body.error_code, 'ModelArts.0402');
  });

  it('kills a job that ignores SIGTERM after the grace period', async () => {
    const created = await createJob(t.url, job('stubborn', 'ignore-sigterm.js'));
    await waitForJob(t.url, created.id, ['Running'], undefined, 30_000);
    const pid = await waitPid(created.id);
    await waitFor('the boot file to install its SIGTERM handler', async () =>
      /ignoring SIGTERM/.test((await api(t.url, 'GET', `/training-jobs/${created.id}/logs`)).body) || undefined,
    );
    await api(t.url, 'POST', `/training-jobs/${created.id}/stop`);
    const done = await waitForJob(t.url, created.id);
    assert.equal(done.status, 'Terminated');
    assert.equal(done.versions[0].signal, 'SIGKILL');
    assert.equal(processAlive(pid), false);
  });

  it('keeps the head and tail of a log that floods stdout, and the job still completes', async () => {
    const created = await createJob(t.url, job('floods', 'flood.js', { parameters: [{ name: 'mb', value: '20' }] }));
    const done = await waitForJob(t.url, created.id);
    assert.equal(done.status, 'Completed', done.versions[0].reason);
    const v = done.versions[0];
    assert.ok(v.log_bytes > 20 * 1024 * 1024);
    assert.ok(v.log_truncated_bytes > 19 * 1024 * 1024);
    const log = (await api(t.url, 'GET', `/training-jobs/${created.id}/logs`)).body as string;
    assert.ok(log.length < 300 * 1024, `log kept ${log.length} bytes`);
    assert.match(log, /^\[modelarts-local\] downloading|00000000 x/m);
    assert.match(log, /bytes of log cut here/);
    assert.match(log, /flood finished/);
  });

  it('follows a running job\'s log until the job ends', async () => {
    const created = await createJob(t.url, job('follow-me', 'exit-3.js'));
    const res = await fetch(`${t.url}/training-jobs/${created.id}/logs?follow=1`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /step 30/);
    assert.match(text.trimEnd().split("\n").pop()!, /^\[modelarts-local\] Failed in \d+\.\d s: the boot file exited with code 3/);
  });

  it('refuses a boot file that is not in the code dir with a 400 naming it, and records nothing', async () => {
    const before = (await api(t.url, 'GET', '/training-jobs')).body.total;
    const res = await api(t.url, 'POST', '/training-jobs', job('missing-boot', 'nope.js'));
    assert.equal(res.status, 400);
    assert.match(res.body.error_msg, /boot file nope\.js is not in obs:\/\/jobs-test\/code\//);
    const empty = await api(t.url, 'POST', '/training-jobs', { ...job('no-code', 'x.js'), algorithm: { engine: 'node', code_dir: `obs://${BUCKET}/nothing/`, boot_file: 'x.js' } });
    assert.equal(empty.status, 400);
    assert.match(empty.body.error_msg, /code dir obs:\/\/jobs-test\/nothing\/ is empty or does not exist/);
    assert.equal((await api(t.url, 'GET', '/training-jobs')).body.total, before);
  });

  it('lists every problem of an invalid body at once', async () => {
    const res = await api(t.url, 'POST', '/training-jobs', {
      name: 'has spaces',
      algorithm: { engine: 'caffe', code_dir: 'obs://Bad_Bucket/x/', boot_file: '../escape.js' },
      train_url: 'obs://ok-bucket/../etc/',
      resource: { node_count: 0 },
    });
    assert.equal(res.status, 400);
    const paths = res.body.errors.map((e: any) => e.path).sort();
    assert.deepEqual(paths, ['algorithm.boot_file', 'algorithm.code_dir', 'algorithm.engine', 'name', 'resource.node_count', 'train_url']);
    const second = await api(t.url, 'POST', '/training-jobs', {
      name: 'ok-name',
      algorithm: { engine: 'node', code_dir: 'obs://Bad_Bucket/x/', boot_file: '../escape.js' },
      train_url: 'obs://ok-bucket/../etc/',
    });
    assert.equal(second.status, 400);
    assert.deepEqual(second.body.errors.map((e: any) => e.path).sort(), ['algorithm.boot_file', 'algorithm.code_dir', 'train_url']);
    assert.match(second.body.errors.find((e: any) => e.path === 'algorithm.boot_file').message, /"\.\."/);
  });

  it('refuses a second job with the same name with 409', async () => {
    await createJob(t.url, job('same-name', 'exit-3.js'));
    const res = await api(t.url, 'POST', '/training-jobs', job('same-name', 'exit-3.js'));
    assert.equal(res.status, 409);
    assert.equal(res.body.error_code, 'ModelArts.0401');
  });

  it('lists jobs newest first, filtered by status and paginated', async () => {
    const all = (await api(t.url, 'GET', '/training-jobs?limit=100')).body;
    assert.ok(all.total >= 5);
    const times = all.items.map((j: any) => j.created_at);
    assert.deepEqual(times, [...times].sort().reverse());
    const page = (await api(t.url, 'GET', '/training-jobs?limit=2&offset=1')).body;
    assert.deepEqual(page.items.map((j: any) => j.id), all.items.slice(1, 3).map((j: any) => j.id));
    const failed = (await api(t.url, 'GET', '/training-jobs?status=Failed')).body;
    assert.ok(failed.items.length >= 1 && failed.items.every((j: any) => j.status === 'Failed'));
    assert.equal((await api(t.url, 'GET', '/training-jobs?status=Bogus')).status, 400);
  });

  it('deletes a running job after stopping it', async () => {
    const created = await createJob(t.url, job('delete-me', 'hang.js'));
    await waitForJob(t.url, created.id, ['Running'], undefined, 30_000);
    const pid = await waitPid(created.id);
    const res = await api(t.url, 'DELETE', `/training-jobs/${created.id}`);
    assert.equal(res.status, 204);
    assert.equal((await api(t.url, 'GET', `/training-jobs/${created.id}`)).status, 404);
    assert.equal(processAlive(pid), false);
  });

  function waitPid(id: string): Promise<number> {
    return waitFor(`a pid recorded for job ${id}`, async () => {
      const job = (await api(t.url, 'GET', `/training-jobs/${id}`)).body;
      return job.versions[job.versions.length - 1].pids?.[0] as number | undefined;
    }, 5000, 50);
  }
});
