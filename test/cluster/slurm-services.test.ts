import assert from 'node:assert/strict';
import { type TestPlatform } from '../helpers/platform';
import { api, waitFor } from '../helpers/http';
import { createJob, waitForJob } from '../helpers/jobs';
import { MNIST_BOOT, testDigits, uploadMnistCode, uploadMnistData } from '../helpers/mnist-model';
import { deployService, predictFile, waitForService } from '../helpers/services';
import { startLoad, type Outcome } from '../helpers/load-loop';
import { BatchOutputs, createBatch, readManifest, waitForBatch } from '../helpers/batch';
import { CLUSTER_TOKEN, startClusterPlatform, useSlurmCluster } from '../helpers/slurm-cluster';

const BUCKET = 'ma-slurm-services';
const AUTH = { 'X-Auth-Token': CLUSTER_TOKEN };
const DIGITS = testDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

describe('[heavy] service instances on a Slurm cluster (EXECUTOR=slurm, two namespace nodes)', function () {
  this.timeout(240_000);
  const cluster = useSlurmCluster(this);
  let t: TestPlatform;
  const models: any[] = [];

  before(async function () {
    this.timeout(120_000);
    t = await startClusterPlatform(cluster());
    await uploadMnistData(t.store, `obs://${BUCKET}/data/`);
    await uploadMnistCode(t.store, `obs://${BUCKET}/code/`);
  });

  /** The MNIST tutorial's job on the cluster, imported as version `version`. */
  const trainAndImport = async (name: string, version: string) => {
    const job = await createJob(t.url, {
      name,
      algorithm: { engine: 'tfjs', code_dir: `obs://${BUCKET}/code/`, boot_file: MNIST_BOOT, parameters: [{ name: 'max_steps', value: '300' }] },
      data_url: `obs://${BUCKET}/data/`,
      train_url: `obs://${BUCKET}/${name}/`,
      resource: { flavor: 'modelarts.vm.cpu.2u', node_count: 1 },
    });
    const done = await waitForJob(t.url, job.id);
    assert.equal(done.status, 'Completed', done.versions[0].reason);
    const imported = await api(t.url, 'POST', '/models/import', { name: 'mnist', version, training_job_id: job.id });
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    return { job: done, model: imported.body };
  };

  it('walks the MNIST tutorial with its instance on a cluster node: trained there, imported, deployed, answering on the service address, the gateway and TF Serving\'s API', async () => {
    const { job, model } = await trainAndImport('trainjob-mnist', '1.0.0');
    models.push(model);
    assert.ok(cluster().nodes.some((n) => n.name === job.versions[0].tasks[0].node), 'trained on a cluster node');
    const service = await deployService(t.url, { name: 'mnist-service', model_id: model.id, instance_count: 1 });
    assert.equal(service.status, 'running', service.reason);
    const [instance] = service.instances;
    const node = cluster().nodes.find((n) => n.name === instance.node)!;
    assert.ok(node, `instance on a cluster node (${instance.node})`);
    assert.match(instance.address, new RegExp(`^http://${node.address.replace(/\./g, '\\.')}:\\d+/$`), 'its own port is on its node');
    assert.equal(instance.pid, undefined, 'no process of this machine');
    let right = 0;
    for (const digit of DIGITS) {
      const direct = await predictFile(service.access_address, digit.png, { headers: AUTH });
      const viaGateway = await predictFile(`${t.url}/v1/infers/${service.id}/`, digit.png, { headers: AUTH });
      assert.equal(direct.status, 200, JSON.stringify(direct.body));
      assert.deepEqual(viaGateway.body, direct.body);
      if (direct.body.predicted_label === String(digit.label)) right++;
    }
    assert.ok(right >= 8, `${right} of 10 digits right`);
    const pixels = Array.from(DIGITS[7].pixels, (p) => p / 255);
    const tfs = await api(t.url, 'POST', '/v1/models/mnist-service:predict', { instances: [{ images: pixels }] });
    assert.equal(tfs.status, 200, JSON.stringify(tfs.body));
    assert.equal(tfs.body.predictions.length, 1);
  });

  it('scores a folder of digits as a batch service whose instance runs on a cluster node', async () => {
    for (const d of DIGITS) await t.store.put({ bucket: BUCKET, key: `digits/test_${d.index}_label_${d.label}.png` }, d.png);
    const created = await createBatch(t.url, { name: 'digits-batch', model_id: models[0].id, src_path: `obs://${BUCKET}/digits/`, dest_path: `obs://${BUCKET}/batch-out/`, req_uri: '/', mapping_type: 'file' });
    const done = await waitForBatch(t.url, created.id);
    assert.equal(done.status, 'finished', JSON.stringify(done.events));
    assert.deepEqual(done.progress, { total: 10, done: 10, failed: 0 });
    assert.ok(cluster().nodes.some((n) => n.name === done.instances[0].node), `its instance ran on a cluster node (${done.instances[0].node})`);
    const out = new BatchOutputs(t.store, done);
    let right = 0;
    for (const line of await readManifest(t.store, done)) {
      assert.equal(line.result, 'SUCCESSFUL');
      if (JSON.parse(await out.text(line['inference-loc'])).predicted_label === /_label_(\d)\.png$/.exec(line.source)![1]) right++;
    }
    assert.ok(right >= 8, `${right} of 10 digits right`);
  });

  it('spreads two instances over the two nodes and rolls them to another model version under load without one failed request', async () => {
    const { model } = await trainAndImport('trainjob-mnist-2', '2.0.0');
    models.push(model);
    const service = await deployService(t.url, { name: 'two-nodes', model_id: models[0].id, instance_count: 2 });
    assert.equal(service.status, 'running', service.reason);
    assert.deepEqual(service.instances.map((i: any) => i.node).sort(), cluster().nodes.map((n) => n.name).sort(), 'one instance per node');
    const load = startLoad({ gateway: `${t.url}/v1/infers/${service.id}/`, service: service.access_address }, DIGITS[2].png, { clients: 2, headers: AUTH, timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await api(t.url, 'POST', `/services/${service.id}/deploy`, { model_id: model.id })).status, 202);
    const done = await waitFor('the redeploy', async () => {
      const s = (await api(t.url, 'GET', `/services/${service.id}`)).body;
      return s.status === 'running' && s.model_version === '2.0.0' ? s : undefined;
    }, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    const outcomes = await load.stop();
    assert.ok(outcomes.length > 20, `${outcomes.length} requests sent`);
    assert.deepEqual(outcomes.filter((o) => o.status !== 200), [], `${outcomes.length} requests`);
    assert.equal(done.instances.length, 2);
  });

  it('loses requests only while an instance moves when its node dies under load (slurmd killed, link cut), and starts it again on the other node', async () => {
    const service = (await api(t.url, 'GET', '/services?limit=100')).body.items.find((s: any) => s.name === 'two-nodes');
    const victim = service.instances[0];
    const survivor = service.instances[1];
    const load = startLoad({ gateway: `${t.url}/v1/infers/${service.id}/`, service: service.access_address }, DIGITS[3].png, { clients: 4, headers: AUTH, timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 1000));
    const killedAt = Date.now();
    await cluster().killNode(Number(victim.node.replace('node', '')));
    try {
      const back = await waitFor('the instance to start again elsewhere', async () => {
        const s = (await api(t.url, 'GET', `/services/${service.id}`)).body;
        return s.status === 'running' && s.instances.length === 2 && s.instances.every((i: any) => i.state === 'ready' && i.id !== victim.id) ? s : undefined;
      }, 90_000);
      const movedAt = Date.now();
      await new Promise((r) => setTimeout(r, 1000));
      const outcomes = await load.stop();
      const failed = outcomes.filter((o) => o.status !== 200);
      report(outcomes, killedAt, movedAt);
      assert.ok(back.instances.every((i: any) => i.node === survivor.node), 'the replacement runs on the node that is left');
      assert.ok(back.events.some((e: any) => new RegExp(`instance ${victim.id} was lost with its node ${victim.node}`).test(e.message)));
      assert.ok(failed.every((o) => o.start >= killedAt - 100 && o.start <= movedAt), `every failure began while the instance moved: ${JSON.stringify(failed.slice(0, 5))}`);
      assert.ok(outcomes.filter((o) => o.start > movedAt).length > 10, 'answered again once it had moved');
      assert.ok(failed.every((o) => o.end - o.start < 30_000), 'no request hung');
    } finally {
      await cluster().reviveNode(Number(victim.node.replace('node', '')));
      await waitForService(t.url, service.id, ['running']);
    }
  });
});

/** The figure: requests sent, and those lost, through each path, while an instance moved. */
function report(outcomes: Outcome[], killedAt: number, movedAt: number): void {
  for (const target of ['gateway', 'service']) {
    const mine = outcomes.filter((o) => o.target === target);
    const lost = mine.filter((o) => o.status !== 200);
    const how = [...new Set(lost.map((o) => `${o.status} ${o.error ?? ''}`.slice(0, 160)))].join('; ');
    process.stdout.write(`      ${target}: ${mine.length} requests, ${lost.length} failed${how ? ` (${how})` : ''}; the instance moved in ${movedAt - killedAt} ms\n`);
  }
}
