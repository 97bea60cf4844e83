import assert from 'node:assert/strict';
import path from 'node:path';
import { gzipMnistTo } from '../../samples/mnist/dataset';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { tempDir, type TestPlatform } from '../helpers/platform';
import { api, waitFor } from '../helpers/http';
import { createJob, uploadCode, waitForJob } from '../helpers/jobs';
import { usePythonModules } from '../helpers/python-modules';
import { clusterPlatformEnv, startClusterPlatform, useSlurmCluster } from '../helpers/slurm-cluster';
import { killHard, spawnPlatform } from '../helpers/process-platform';
import { ACTIVE_STATES, slurm } from '../../kernel/cluster/slurm';
import { ObjectStore } from '../../kernel/storage/object-store';
import { EMBEDDED_ACCESS_KEY_ID, EMBEDDED_SECRET_ACCESS_KEY } from '../../kernel/config';

const BUCKET = 'ma-slurm-jobs';
const CODE = `obs://${BUCKET}/code/`;
const DATA = `obs://${BUCKET}/data/`;

describe('[heavy] training jobs on a Slurm cluster (EXECUTOR=slurm, two namespace nodes)', function () {
  this.timeout(240_000);
  const cluster = useSlurmCluster(this);
  let t: TestPlatform;

  before(async function () {
    this.timeout(120_000);
    t = await startClusterPlatform(cluster());
    await uploadCode(t.store, CODE, ['env_report.py', 'ddp_mnist.py', 'sleeper.py']);
    for (const file of await gzipMnistTo(await tempDir('mnist-gz'))) {
      await t.store.putFile({ ...parseObsUrl(DATA), key: `data/${path.basename(file)}` }, file);
    }
  });


  const read = async (url: string) => JSON.parse((await t.store.getBuffer(parseObsUrl(url), 1e6)).toString());
  const pythonJob = (name: string, boot: string, nodes: number, extra: Record<string, unknown> = {}, parameters: { name: string; value: string }[] = []) =>
    createJob(t.url, {
      name,
      algorithm: { engine: 'python', code_dir: CODE, boot_file: boot, parameters },
      data_url: DATA,
      train_url: `obs://${BUCKET}/out/${name}/`,
      resource: { node_count: nodes, flavor: 'modelarts.vm.cpu.2u' },
      ...extra,
    });
  const log = async (id: string) => (await api(t.url, 'GET', `/training-jobs/${id}/logs`)).body as string;

  it('runs node_count 2 as one Slurm batch job: each worker on its own node, at that node\'s address, with Slurm\'s job in the record', async () => {
    const created = await pythonJob('env-two', 'env_report.py', 2);
    const done = await waitForJob(t.url, created.id);
    const v = done.versions[0];
    assert.equal(v.status, 'Completed', v.reason);
    const nodes = cluster().nodes;
    const [n0, n1] = [await read(`obs://${BUCKET}/out/env-two/V0001/env-0.json`), await read(`obs://${BUCKET}/out/env-two/V0001/env-1.json`)];
    assert.deepEqual([n0.env.VC_TASK_INDEX, n1.env.VC_TASK_INDEX, n0.env.MA_NUM_HOSTS], ['0', '1', '2']);
    assert.deepEqual([n0.env.MA_CURRENT_IP, n1.env.MA_CURRENT_IP].sort(), nodes.map((n) => n.address).sort(), 'each worker at its own node\'s address');
    assert.equal(n0.env.VC_WORKER_HOSTS, `${n0.env.MA_CURRENT_IP},${n1.env.MA_CURRENT_IP}`);
    assert.equal(n0.env.S3_ENDPOINT, `http://${cluster().hostAddress}:${new URL(t.platform.context.storageEndpoint).port}`, 'the store as the nodes reach it');
    assert.deepEqual(Object.keys(n1.batch).sort(), ['BATCH_CUSTOM0_HOSTS', 'BATCH_CUSTOM1_HOSTS']);
    assert.equal(v.cluster.scheduler, 'slurm');
    assert.match(v.cluster.job_id, /^\d+$/);
    await waitFor('Slurm to say COMPLETED', async () => ((await api(t.url, 'GET', `/training-jobs/${created.id}`)).body.versions[0].cluster.state === 'COMPLETED' ? true : undefined));
    assert.deepEqual(v.tasks.map((x: any) => [x.task, x.host, x.exit_code]), [['worker-0', n0.env.MA_CURRENT_IP, 0], ['worker-1', n1.env.MA_CURRENT_IP, 0]]);
    assert.deepEqual(v.tasks.map((x: any) => x.node).sort(), nodes.map((n) => n.name).sort());
    assert.ok(Date.parse(v.phases.Pending) <= Date.parse(v.phases.Running) && Date.parse(v.phases.Running) <= Date.parse(v.phases.Completed));
    const text = await log(created.id);
    assert.match(text, new RegExp(`submitted to Slurm as job ${v.cluster.job_id}: 2 nodes, 2 CPUs and 8192 MiB each`));
    assert.match(text, /\[worker-1\] node 1 of 2 on 10\./);
    assert.match((await api(t.url, 'GET', `/training-jobs/${created.id}/logs?task=worker-1`)).body, /downloaded code and inputs/, 'each node downloads for itself: no shared file system');
  });

  describe('PyTorch DistributedDataParallel across two nodes', function () {
    usePythonModules(this, ['torch', 'numpy']);

    it('trains the MNIST MLP with gloo over the nodes\' network and ends with the same weights on both ranks', async () => {
      const created = await pythonJob('ddp', 'ddp_mnist.py', 2, {}, [
        { name: 'master_port', value: '29531' },
        { name: 'samples', value: '4000' },
        { name: 'epochs', value: '2' },
      ]);
      const done = await waitForJob(t.url, created.id);
      assert.equal(done.status, 'Completed', done.versions[0].reason);
      const [r0, r1] = [await read(`obs://${BUCKET}/out/ddp/V0001/rank-0.json`), await read(`obs://${BUCKET}/out/ddp/V0001/rank-1.json`)];
      assert.deepEqual([r0.rank, r1.rank, r0.world_size], [0, 1, 2]);
      assert.equal(r0.master, done.versions[0].tasks[0].host, 'MASTER_ADDR is worker-0\'s node');
      assert.ok(cluster().nodes.some((n) => n.address === r0.master));
      assert.equal(r0.sha256, r1.sha256, 'both ranks end with the same weights');
      assert.ok(r0.accuracy > 0.8, `test accuracy ${r0.accuracy}`);
      assert.ok(await t.store.head(parseObsUrl(`obs://${BUCKET}/out/ddp/V0001/mnist_mlp.pt`)), 'rank 0\'s node uploaded its own output');
    });
  });

  it('refuses, naming the flavor, a job no node can take', async () => {
    const created = await pythonJob('too-big', 'env_report.py', 1, { resource: { node_count: 1, flavor: 'modelarts.vm.cpu.64u' } });
    const done = await waitForJob(t.url, created.id);
    assert.equal(done.status, 'Failed');
    assert.match(done.versions[0].reason, /has no node that offers 64 CPUs and 262144 MiB, as flavor modelarts\.vm\.cpu\.64u asks/);
  });

  it('keeps a job Pending while Slurm queues it, with Slurm\'s reason; stopped there it is Terminated, cancelled by hand Abnormal', async () => {
    // Two jobs of 8 CPUs fill both nodes (8 CPUs each); the next ones wait.
    const fill = [await big('fill-1'), await big('fill-2')];
    try {
      await queueBehind(fill);
    } finally {
      // Whatever happened, the nodes are freed for the tests that follow.
      for (const f of fill) assert.equal((await api(t.url, 'POST', `/training-jobs/${f.id}/stop`)).status, 200);
    }
    for (const f of fill) assert.equal((await waitForJob(t.url, f.id)).status, 'Terminated');
  });

  const big = (name: string) => pythonJob(name, 'sleeper.py', 1, { resource: { node_count: 1, flavor: 'modelarts.vm.cpu.8u' } });

  async function queueBehind(fill: Array<{ id: string }>): Promise<void> {
    for (const f of fill) await waitForJob(t.url, f.id, ['Running']);
    const [queued, byHand] = [await big('queued'), await big('cancelled-by-hand')];
    const pending = async (id: string) =>
      waitFor('Slurm to queue the job', async () => {
        const v = (await api(t.url, 'GET', `/training-jobs/${id}`)).body.versions[0];
        return v.cluster?.state === 'PENDING' && v.cluster.reason ? v : undefined;
      });
    const [v1, v2] = [await pending(queued.id), await pending(byHand.id)];
    assert.deepEqual([v1.status, v2.status], ['Pending', 'Pending']);
    assert.match(await log(queued.id), /waiting in Slurm's queue \((Resources|Priority)\)/);
    assert.equal((await api(t.url, 'POST', `/training-jobs/${queued.id}/stop`)).status, 200);
    await slurm.cancel(v2.cluster.job_id);
    const stopped = await waitForJob(t.url, queued.id);
    assert.equal(stopped.status, 'Terminated');
    assert.equal(stopped.versions[0].phases.Running, undefined, 'it never ran');
    const cancelled = (await waitForJob(t.url, byHand.id)).versions[0];
    assert.equal(cancelled.status, 'Abnormal');
    // Slurm names the reason the job was waiting for, e.g. "as CANCELLED (Priority)".
    assert.match(cancelled.reason, new RegExp(`^Slurm ended job ${v2.cluster.job_id} as CANCELLED( \\(\\w+\\))? before its nodes reached the platform`));
  }

  it('ends the runners of a platform killed with -9 (their line is gone), and after a restart the version is Abnormal', async () => {
    const dataDir = await tempDir('slurm-restart');
    const env = { ...clusterPlatformEnv(cluster()), DATA_DIR: dataDir };
    let platform = await spawnPlatform(env);
    const url = platform.url.replace('0.0.0.0', '127.0.0.1');
    try {
      const store = new ObjectStore({ endpoint: platform.storageEndpoint.replace('0.0.0.0', '127.0.0.1'), accessKeyId: EMBEDDED_ACCESS_KEY_ID, secretAccessKey: EMBEDDED_SECRET_ACCESS_KEY, region: 'us-east-1' });
      await uploadCode(store, CODE, ['sleeper.py']);
      store.destroy();
      const created = (await api(url, 'POST', '/training-jobs', { name: 'platform-dies', algorithm: { engine: 'python', code_dir: CODE, boot_file: 'sleeper.py' }, train_url: `obs://${BUCKET}/out/platform-dies/` })).body;
      const running = await waitForJob(url, created.id, ['Running']);
      await waitFor('the boot file to start', async () => (/sleeper started/.test((await api(url, 'GET', `/training-jobs/${created.id}/logs`)).body) ? true : undefined));
      const slurmJob = (await api(url, 'GET', `/training-jobs/${created.id}`)).body.versions[0].cluster.job_id;
      await killHard(platform);
      await waitFor(`Slurm job ${slurmJob} to end without its platform`, async () => {
        const job = (await slurm.jobs()).get(slurmJob);
        return job && !ACTIVE_STATES.has(job.state) ? job : undefined;
      }, 30_000);
      platform = await spawnPlatform(env);
      const after = (await api(platform.url.replace('0.0.0.0', '127.0.0.1'), 'GET', `/training-jobs/${created.id}`)).body.versions[0];
      assert.equal(running.versions[0].status, 'Running');
      assert.equal(after.status, 'Abnormal');
      assert.match(after.reason, new RegExp(`^the platform stopped while this version was Running; its Slurm job ${slurmJob} had ended \\((FAILED|COMPLETED)\\)\\.`));
    } finally {
      await killHard(platform);
    }
  });

  it('ends a 2-node job Abnormal when a node dies during it (slurmd killed, link cut), naming the node; the other worker is stopped', async () => {
    const created = await pythonJob('node-dies', 'sleeper.py', 2);
    const running = await waitFor('both workers to start', async () => {
      const text = await log(created.id);
      return (text.match(/sleeper started/g) ?? []).length === 2 ? (await api(t.url, 'GET', `/training-jobs/${created.id}`)).body : undefined;
    }, 60_000);
    const victim = running.versions[0].tasks.find((x: any) => x.task === 'worker-1');
    const killedAt = Date.now();
    await cluster().killNode(Number(victim.node.replace('node', '')));
    try {
      const done = await waitForJob(t.url, created.id, undefined, undefined, 60_000);
      const v = done.versions[0];
      assert.equal(v.status, 'Abnormal');
      assert.match(v.reason, new RegExp(`^worker-1 was lost: node ${victim.node} \\(${victim.host.replace(/\./g, '\\.')}\\) stopped answering: nothing was heard for \\d+ ms`));
      assert.match(v.reason, /the other workers were stopped \(worker-0\)/);
      assert.match(v.tasks[0].reason, /stopped because worker-1 was lost/);
      assert.ok(Date.now() - killedAt < 30_000, `ended ${Date.now() - killedAt} ms after the node died: nothing hangs`);
    } finally {
      await cluster().reviveNode(Number(victim.node.replace('node', '')));
    }
  });
});
