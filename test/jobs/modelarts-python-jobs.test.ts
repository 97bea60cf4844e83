import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { gzipMnistTo } from '../../samples/mnist/dataset';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { createJob, uploadCode, waitForJob } from '../helpers/jobs';
import { usePythonModules } from '../helpers/python-modules';
import { cli } from '../helpers/cli';

const BUCKET = 'ma-python-jobs';
const CODE = `obs://${BUCKET}/code/`;
const DATA = `obs://${BUCKET}/data/`;

/** A port nothing listens on now, for a rendezvous. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('ModelArts Python boot files: moxing, the training environment, several nodes', function () {
  this.timeout(180_000);
  usePythonModules(this, ['boto3']);
  let t: TestPlatform;

  before(async () => {
    t = await startTestPlatform({ STOP_GRACE_MS: '1500' });
    await uploadCode(t.store, CODE, ['mox_copy_train.py', 'env_report.py', 'fail_on_worker1.py', 'ddp_mnist.py']);
    for (const file of await gzipMnistTo(await tempDir('mnist-gz'))) {
      await t.store.putFile({ ...parseObsUrl(DATA), key: `data/${path.basename(file)}` }, file);
    }
  });

  after(async () => t?.close());

  const read = async (url: string) => JSON.parse((await t.store.getBuffer(parseObsUrl(url), 1e6)).toString());
  /** A Python job reading DATA and writing obs://…/out/<name>/, on `nodes` nodes. */
  const pythonJob = (name: string, boot: string, nodes = 1, parameters: { name: string; value: string }[] = []) =>
    createJob(t.url, {
      name,
      algorithm: { engine: 'python', code_dir: CODE, boot_file: boot, parameters },
      data_url: DATA,
      train_url: `obs://${BUCKET}/out/${name}/`,
      resource: { node_count: nodes },
    });

  it('hands OBS URLs to a boot file that copies them with mox.file.copy_parallel, both ways, and passes flags argparse users ignore', async () => {
    const created = await createJob(t.url, {
      name: 'mox-copy',
      algorithm: { engine: 'python', code_dir: CODE, boot_file: 'mox_copy_train.py', parameters: [{ name: 'learning_rate', value: 0.01 }] },
      inputs: [{ name: 'data_url', url: DATA, pass_as: 'obs_url' }],
      outputs: [{ name: 'train_url', url: `obs://${BUCKET}/out/mox-copy/`, pass_as: 'obs_url' }],
    });
    const done = await waitForJob(t.url, created.id);
    assert.equal(done.status, 'Completed', done.versions[0].reason);
    const result = await read(`obs://${BUCKET}/out/mox-copy/V0001/counts.json`);
    assert.deepEqual(result.counts, {
      't10k-images-idx3-ubyte.gz': 10000,
      't10k-labels-idx1-ubyte.gz': 10000,
      'train-images-idx3-ubyte.gz': 60000,
      'train-labels-idx1-ubyte.gz': 60000,
    });
    assert.equal(result.data_url, DATA);
    assert.equal(result.train_url, `obs://${BUCKET}/out/mox-copy/V0001/`);
    assert.deepEqual(result.unknown, ['--learning_rate=0.01']);
    assert.ok(await t.store.head(parseObsUrl(`obs://${BUCKET}/out/mox-copy/V0001/model/weights.txt`)));
    const log = (await api(t.url, 'GET', `/training-jobs/${created.id}/logs`)).body as string;
    assert.doesNotMatch(log, /cannot work in this job/, 'boto3 is there: nothing is named missing');
  });

  it('gives one node the training environment ModelArts documents', async () => {
    const created = await pythonJob('env-one', 'env_report.py');
    const done = await waitForJob(t.url, created.id);
    assert.equal(done.status, 'Completed', done.versions[0].reason);
    const { env, batch, cwd, file } = await read(`obs://${BUCKET}/out/env-one/V0001/env-0.json`);
    assert.equal(env.MA_HOME, env.HOME);
    assert.equal(env.MA_MOUNT_PATH, path.join(env.MA_HOME, 'modelarts'));
    assert.equal(env.MA_JOB_DIR, path.join(env.MA_MOUNT_PATH, 'user-job-dir'));
    assert.equal(file, path.join(env.MA_JOB_DIR, 'code', 'env_report.py'), 'the code lands in ${MA_JOB_DIR}/<last folder of code_dir>');
    assert.equal(cwd, path.join(env.MA_JOB_DIR, 'code'));
    assert.equal(env.MA_LOG_DIR, path.join(env.MA_MOUNT_PATH, 'log'));
    assert.ok(env.WORKSPACE);
    assert.deepEqual(
      [env.MA_NUM_GPUS, env.MA_TASK_NAME, env.MA_NUM_HOSTS, env.VC_TASK_INDEX, env.VC_WORKER_NUM, env.DLS_TASK_INDEX, env.DLS_TASK_NUMBER],
      ['0', 'worker', '1', '0', '1', '0', '1'],
    );
    assert.match(env.MA_CURRENT_IP, /^127\.\d+\.\d+\.\d+$/);
    assert.equal(env.VC_WORKER_HOSTS, env.MA_CURRENT_IP);
    assert.equal(env.MA_VJ_NAME, `modelarts-job-${created.id}`);
    assert.equal(env.MA_CURRENT_INSTANCE_NAME, `modelarts-job-${created.id}-worker-0`);
    assert.equal(env.S3_ENDPOINT, t.platform.context.storageEndpoint);
    assert.deepEqual([env.S3_USE_HTTPS, env.S3_VERIFY_SSL], ['0', '0']);
    assert.deepEqual([env.DLS_APP_URL, env.DLS_DATA_URL, env.DLS_TRAIN_URL], [CODE, DATA, `obs://${BUCKET}/out/env-one/V0001/`]);
    assert.deepEqual(Object.keys(batch), ['BATCH_env-one.0_HOSTS']);
    assert.match(batch['BATCH_env-one.0_HOSTS'], new RegExp(`^${env.MA_CURRENT_IP.replace(/\./g, '\\.')}:\\d+$`));
    assert.deepEqual([env.RANK, env.WORLD_SIZE, env.TF_CONFIG, env.MASTER_ADDR], [null, null, null, null], 'ModelArts sets none of these');
  });

  it('runs node_count 2 as two processes told apart by VC_TASK_INDEX, each on its own address, with a log per worker', async () => {
    const created = await pythonJob('env-two', 'env_report.py', 2);
    const done = await waitForJob(t.url, created.id);
    assert.equal(done.status, 'Completed', done.versions[0].reason);
    const [n0, n1] = [await read(`obs://${BUCKET}/out/env-two/V0001/env-0.json`), await read(`obs://${BUCKET}/out/env-two/V0001/env-1.json`)];
    assert.deepEqual([n0.env.VC_TASK_INDEX, n1.env.VC_TASK_INDEX], ['0', '1']);
    assert.deepEqual([n0.env.MA_NUM_HOSTS, n1.env.VC_WORKER_NUM], ['2', '2']);
    assert.notEqual(n0.env.MA_CURRENT_IP, n1.env.MA_CURRENT_IP);
    assert.equal(n0.env.VC_WORKER_HOSTS, `${n0.env.MA_CURRENT_IP},${n1.env.MA_CURRENT_IP}`);
    assert.equal(n1.env.VC_WORKER_HOSTS, n0.env.VC_WORKER_HOSTS);
    assert.deepEqual(Object.keys(n1.batch).sort(), ['BATCH_CUSTOM0_HOSTS', 'BATCH_CUSTOM1_HOSTS']);
    assert.deepEqual(n0.argv, n1.argv, 'the same boot file with the same arguments on every node');
    const tasks = done.versions[0].tasks;
    assert.deepEqual(tasks.map((x: any) => [x.task, x.host, x.exit_code]), [['worker-0', n0.env.MA_CURRENT_IP, 0], ['worker-1', n1.env.MA_CURRENT_IP, 0]]);

    const worker1 = (await api(t.url, 'GET', `/training-jobs/${created.id}/logs?task=worker-1`)).body as string;
    assert.match(worker1, new RegExp(`node 1 of 2 on ${n1.env.MA_CURRENT_IP.replace(/\./g, '\\.')}`));
    assert.doesNotMatch(worker1, /node 0 of 2/);
    const all = (await api(t.url, 'GET', `/training-jobs/${created.id}/logs`)).body as string;
    assert.match(all, /\[worker-0\] node 0 of 2/);
    assert.match(all, /\[worker-1\] node 1 of 2/);
    const v2 = await api(t.url, 'GET', `/v2/modelarts-local/training-jobs/${created.id}/tasks/worker-1/logs/preview`);
    assert.equal(v2.status, 200);
    assert.match(v2.body.content, /node 1 of 2/);
    assert.doesNotMatch(v2.body.content, /node 0 of 2/);
    const viaCli = await cli(t.url, 'logs', 'env-two', '--task', 'worker-1');
    assert.equal(viaCli.code, 0);
    assert.ok(viaCli.lines.includes(`node 1 of 2 on ${n1.env.MA_CURRENT_IP}`), viaCli.lines.join('\n'));
    assert.ok(!viaCli.lines.some((l) => l.includes('node 0 of 2')));
    const unknown = await api(t.url, 'GET', `/training-jobs/${created.id}/logs?task=worker-2`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error_msg, /its tasks are worker-0, worker-1/);
  });

  it('fails the job when one worker fails, naming it, and stops the others', async () => {
    const started = Date.now();
    const created = await pythonJob('one-fails', 'fail_on_worker1.py', 2);
    const done = await waitForJob(t.url, created.id);
    const v = done.versions[0];
    assert.equal(v.status, 'Failed');
    assert.ok(Date.now() - started < 60_000, 'worker-0 did not sleep its 600 s');
    assert.match(v.reason, /^worker-1 failed: its boot file exited with code 4; the other workers were stopped \(worker-0\)/);
    assert.match(v.reason, /worker 1: cannot reach the data/);
    assert.equal(v.exit_code, 4);
    const [w0, w1] = v.tasks;
    assert.equal(w0.signal, 'SIGTERM');
    assert.match(w0.reason, /stopped because worker-1 failed/);
    assert.equal(w1.exit_code, 4);
    const job = await api(t.url, 'GET', `/v2/modelarts-local/training-jobs/${created.id}`);
    assert.deepEqual(job.body.status.task_statuses.map((s: any) => [s.task, s.exit_code]), [['worker-0', 143], ['worker-1', 4]], 'SIGTERM counts 128 + 15, as a container\'s does');
  });

  it('refuses at create a boot file the engine cannot run, naming the engine that runs it', async () => {
    await uploadCode(t.store, CODE, ['echo-args.js']);
    const v2 = await api(t.url, 'POST', '/v2/modelarts-local/training-jobs', {
      metadata: { name: 'js-on-tensorflow' },
      algorithm: { code_dir: `/${BUCKET}/code/`, boot_file: `/${BUCKET}/code/echo-args.js`, engine: { engine_name: 'TensorFlow' }, outputs: [{ name: 'train_url', remote: { obs: { obs_url: `/${BUCKET}/out/js/` } } }] },
    });
    assert.equal(v2.status, 400);
    assert.match(v2.body.error_msg, /engine TensorFlow runs Python boot files, and .*echo-args\.js is JavaScript; name engine Node\.js or TensorFlow\.js for it/);
    const ours = await api(t.url, 'POST', '/training-jobs', { name: 'js-on-python', algorithm: { engine: 'python', code_dir: CODE, boot_file: 'echo-args.js' }, train_url: `obs://${BUCKET}/out/js/` });
    assert.equal(ours.status, 400);
    assert.deepEqual(ours.body.errors, [{ path: 'algorithm.boot_file', message: 'echo-args.js is JavaScript, but engine python runs Python boot files; use engine tfjs or node for it, or a Python boot file' }]);
    const py = await api(t.url, 'POST', '/training-jobs', { name: 'py-on-tfjs', algorithm: { engine: 'tfjs', code_dir: CODE, boot_file: 'env_report.py' }, train_url: `obs://${BUCKET}/out/py/` });
    assert.equal(py.status, 400);
    assert.match(py.body.errors[0].message, /env_report\.py is Python, but engine tfjs runs JavaScript boot files; use engine python/);
  });

  describe('PyTorch DistributedDataParallel on 2 nodes', function () {
    usePythonModules(this, ['torch', 'numpy']);

    it('trains the MNIST MLP with gloo on CPU and ends with the same weights on both ranks', async () => {
      const port = String(await freePort());
      const created = await pythonJob('ddp', 'ddp_mnist.py', 2, [
        { name: 'master_port', value: port },
        { name: 'samples', value: '4000' },
        { name: 'epochs', value: '2' },
      ]);
      const done = await waitForJob(t.url, created.id);
      assert.equal(done.status, 'Completed', done.versions[0].reason);
      const [r0, r1] = [await read(`obs://${BUCKET}/out/ddp/V0001/rank-0.json`), await read(`obs://${BUCKET}/out/ddp/V0001/rank-1.json`)];
      assert.deepEqual([r0.rank, r1.rank, r0.world_size, r1.world_size], [0, 1, 2, 2]);
      assert.equal(r0.master, done.versions[0].tasks[0].host);
      assert.equal(r0.steps, 126, '4000 samples split over 2 ranks, 32 a batch, 2 epochs');
      assert.equal(r0.sha256, r1.sha256, 'both ranks end with the same weights');
      assert.ok(r0.accuracy > 0.8, `test accuracy ${r0.accuracy}`);
      assert.ok(await t.store.head(parseObsUrl(`obs://${BUCKET}/out/ddp/V0001/mnist_mlp.pt`)));
    });
  });
});
