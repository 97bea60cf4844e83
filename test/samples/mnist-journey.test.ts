import assert from 'node:assert/strict';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { createJob, waitForJob } from '../helpers/jobs';
import { testDigits } from '../helpers/mnist-model';
import { deployService, predictFile } from '../helpers/services';
import { TUTORIAL } from '../../samples/mnist/prepare';

describe('the ModelArts MNIST tutorial, end to end on real MNIST', function () {
  this.timeout(240_000);
  let t: TestPlatform;
  let dataDir: string;

  before(async () => {
    dataDir = await tempDir('journey');
    t = await startTestPlatform({ PREPARE_SAMPLES: 'true' }, dataDir);
  });

  after(async () => t?.close());

  it('prepares the tutorial bucket on a fresh data dir, as its "Preparing Data" step', async () => {
    const all = (await t.store.listAll({ bucket: TUTORIAL.bucket, key: 'mnist/' })).map((o) => o.key);
    // The batch tutorial's inputs: 100 test digits named by place and label, and its empty output folder.
    const batch = all.filter((k) => k.startsWith('mnist/batch-'));
    assert.equal(batch.length, 101);
    assert.ok(batch.includes('mnist/batch-output/'));
    assert.ok(batch.filter((k) => k !== 'mnist/batch-output/').every((k) => /^mnist\/batch-input\/digit_\d{4}_label_\d\.png$/.test(k)));
    const keys = all.filter((k) => !batch.includes(k));
    assert.deepEqual(keys.sort(), [
      'mnist/dataset-mnist/t10k-images-idx3-ubyte.gz',
      'mnist/dataset-mnist/t10k-labels-idx1-ubyte.gz',
      'mnist/dataset-mnist/train-images-idx3-ubyte.gz',
      'mnist/dataset-mnist/train-labels-idx1-ubyte.gz',
      'mnist/mnist-model/',
      'mnist/mnist-tensorflow-code/model-package-python/config.json',
      'mnist/mnist-tensorflow-code/model-package-python/customize_service.py',
      'mnist/mnist-tensorflow-code/model-package/config.json',
      'mnist/mnist-tensorflow-code/model-package/customize_service.js',
      'mnist/mnist-tensorflow-code/train_mnist_tfjs.js',
    ]);
  });

  it("puts the other samples' boot files beside it, each in its own code folder", async () => {
    for (const key of ['mlp/code/train_mlp.js', 'autoencoder-classifier/code/train_autoencoder.js', 'digit-cnn/code/train_digit_cnn.js', 'digit-cnn/code/hyperparameters.cfg']) {
      assert.ok(await t.store.head({ bucket: TUTORIAL.bucket, key }), `${key} was not prepared`);
    }
  });

  it('trains trainjob-mnist, imports it as mnist 1.0.0, deploys it and reads real test digits', async () => {
    const job = await createJob(t.url, {
      name: 'trainjob-mnist',
      algorithm: {
        engine: 'tfjs',
        code_dir: `obs://${TUTORIAL.bucket}/${TUTORIAL.code}`,
        boot_file: TUTORIAL.bootFile,
        parameters: [{ name: 'max_steps', value: '200' }],
      },
      data_url: `obs://${TUTORIAL.bucket}/${TUTORIAL.dataset}`,
      train_url: `obs://${TUTORIAL.bucket}/${TUTORIAL.output}`,
    });
    const done = await waitForJob(t.url, job.id);
    const v = done.versions[0];
    assert.equal(v.status, 'Completed', v.reason);
    assert.equal(v.metric_count, 20, 'test accuracy every 10 steps');
    assert.ok(v.last_metrics.accuracy > 0.85, `accuracy ${v.last_metrics.accuracy} after 200 steps`);
    const model = await api(t.url, 'POST', '/models/import', { name: 'mnist', version: '1.0.0', training_job_id: job.id });
    assert.equal(model.status, 201, JSON.stringify(model.body));
    const service = await deployService(t.url, { name: 'mnist-service', model_id: model.body.id });
    assert.equal(service.status, 'running', service.reason);
    let right = 0;
    for (const d of testDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])) {
      const res = await predictFile(`${t.url}/v1/infers/${service.id}/`, d.png, { fileName: `img_${d.index}.png` });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      if (res.body.predicted_label === String(d.label)) right++;
    }
    assert.ok(right >= 8, `${right} of 10 test digits right`);
  });

  it('never overwrites a user\'s objects when it prepares the bucket again', async () => {
    const boot = { bucket: TUTORIAL.bucket, key: `${TUTORIAL.code}${TUTORIAL.bootFile}` };
    await t.store.put(boot, '// my own boot file\n');
    await t.close();
    t = await startTestPlatform({ PREPARE_SAMPLES: 'true' }, dataDir);
    assert.equal((await t.store.getBuffer(boot, 1e6)).toString(), '// my own boot file\n');
  });
});
