import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { MNIST_RAW_DIR } from '../../samples/mnist/dataset';
import { repoPath } from '../../kernel/paths';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { testDigits } from '../helpers/mnist-model';
import { deployService, predictFile } from '../helpers/services';
import { sharedFixture } from '../helpers/shared-fixtures';
import { usePythonModules } from '../helpers/python-modules';
import { waitFor } from '../helpers/http';

const BUCKET = 'pytorch-docs';
const PROJECT = 'modelarts-local';
const fixture = sharedFixture('modelarts-hooks');
/** Training images the job gets: the example's network trains on these in seconds, not minutes. */
const TRAIN_IMAGES = 6000;
const TEST_IMAGES = 1000;

/** The first `count` records of a raw MNIST IDX file, its header saying so (torchvision checks it). */
async function idxHead(name: string, count: number): Promise<Buffer> {
  const raw = await fs.readFile(path.join(MNIST_RAW_DIR, name));
  const images = raw.readUInt32BE(0) === 2051;
  const header = Buffer.from(raw.subarray(0, images ? 16 : 8));
  header.writeUInt32BE(count, 4);
  const record = images ? 784 : 1;
  return Buffer.concat([header, raw.subarray(header.length, header.length + count * record)]);
}

/**
 * ModelArts' own PyTorch example ("Examples of Custom Scripts → PyTorch"), its three code
 * blocks as the guide publishes them (read from the shared fixtures, never copied into the
 * repository): its training script trains its network in a PyTorch job here, its "Saving a
 * Model" snippet writes the state_dict, and its customize_service.py (import log,
 * PTServingBaseService, torchvision transforms, label.json) serves it.
 */
describe("ModelArts' PyTorch example: train, import, deploy, predict digits [heavy]", function () {
  this.timeout(600_000);
  usePythonModules(this, ['torch', 'torchvision', 'PIL']);
  let t: TestPlatform;
  let job: any;
  let service: any;

  before(async function () {
    if (!fixture.dir) {
      console.log(`    skipped: ${fixture.absent}`);
      return this.skip();
    }
    t = await startTestPlatform();
    await t.store.ensureBucket(BUCKET);
    const example = path.join(fixture.dir, 'pytorch-mnist-docs');
    for (const file of ['train_mnist_pytorch.py', 'save_model_snippet.py', 'customize_service.py']) {
      await t.store.putFile({ bucket: BUCKET, key: `code/${file}` }, path.join(example, file));
    }
    for (const file of ['run_docs_example.py', 'config.json']) {
      await t.store.putFile({ bucket: BUCKET, key: `code/${file}` }, repoPath('test', 'fixtures', 'pytorch-docs', file));
    }
    for (const [name, count] of [['train-images-idx3-ubyte', TRAIN_IMAGES], ['train-labels-idx1-ubyte', TRAIN_IMAGES], ['t10k-images-idx3-ubyte', TEST_IMAGES], ['t10k-labels-idx1-ubyte', TEST_IMAGES]] as const) {
      await t.store.put({ bucket: BUCKET, key: `data/MNIST/raw/${name}` }, await idxHead(name, count));
    }
  });

  after(async () => t?.close());

  it('trains the example\'s network in a v2 job on the PyTorch engine', async () => {
    const created = await api(t.url, 'POST', `/v2/${PROJECT}/training-jobs`, {
      kind: 'job',
      metadata: { name: 'pytorch-docs-example' },
      algorithm: {
        code_dir: `/${BUCKET}/code/`,
        boot_file: `/${BUCKET}/code/run_docs_example.py`,
        engine: { engine_name: 'PyTorch', engine_version: 'pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64' },
        inputs: [{ name: 'data_url', remote: { obs: { obs_url: `/${BUCKET}/data/` } } }],
        outputs: [{ name: 'train_url', remote: { obs: { obs_url: `/${BUCKET}/output/` } } }],
      },
      spec: { resource: { flavor_id: 'modelarts.vm.cpu.8u', node_count: 1 } },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    job = await waitFor(
      'the job to end',
      async () => {
        const j = (await api(t.url, 'GET', `/v2/${PROJECT}/training-jobs/${created.body.metadata.id}`)).body;
        return ['Completed', 'Failed', 'Terminated', 'Abnormal'].includes(j.status.phase) ? j : undefined;
      },
      540_000,
      1000,
    );
    const log = (await api(t.url, 'GET', `/v2/${PROJECT}/training-jobs/${job.metadata.id}/tasks/worker-0/logs/preview`)).body.content as string;
    assert.equal(job.status.phase, 'Completed', log.slice(-3000));
    const accuracy = /Test set: Average loss: [\d.]+, Accuracy: (\d+)\/(\d+)/g;
    const results = [...log.matchAll(accuracy)].map((m) => Number(m[1]) / Number(m[2]));
    assert.equal(results.length, 2, 'the script tests after each of its two epochs');
    assert.ok(results[1] > 0.85, `test accuracy after two epochs ${results[1]}`);
    const files = (await t.store.listAll({ bucket: BUCKET, key: 'output/model/' })).map((o) => o.key).sort();
    assert.deepEqual(files, ['output/model/config.json', 'output/model/customize_service.py', 'output/model/label.json', 'output/model/mnist_mlp.pt']);
  });

  it('imports the output as a PyTorch model, deploys it, and its customize_service.py predicts real digits', async () => {
    assert.ok(job, 'the training job ran');
    const imported = await api(t.url, 'POST', `/v1/${PROJECT}/models`, {
      model_name: 'pytorch-mnist',
      model_version: '1.0.0',
      source_location: `/${BUCKET}/output/model/`,
      source_job_id: job.metadata.id,
      model_type: 'PyTorch',
    });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    const model = (await api(t.url, 'GET', `/v1/${PROJECT}/models/${imported.body.model_id}`)).body;
    assert.equal(model.model_type, 'PyTorch');
    assert.equal(model.source_job_id, job.metadata.id);
    service = await deployService(t.url, { name: 'pytorch-mnist-svc', model_id: imported.body.model_id });
    assert.equal(service.status, 'running', JSON.stringify(service.events));
    const digits = testDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    let right = 0;
    for (const d of digits) {
      const res = await predictFile(`${t.url}/v1/infers/${service.id}/`, d.png);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.length, 1, 'the example answers a list with one dict per field');
      if (res.body[0].images === String(d.label)) right++;
    }
    // The example's network keeps dropout on at inference (F.dropout's default), so an answer can vary.
    assert.ok(right >= 8, `${right} of 10 digits right`);
  });
});
