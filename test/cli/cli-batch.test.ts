import assert from 'node:assert/strict';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { importMnist } from '../helpers/services';
import { cli } from '../helpers/cli';
import { BatchOutputs, readManifest } from '../helpers/batch';
import { api, waitFor } from '../helpers/http';
import { killHard, spawnPlatform } from '../helpers/process-platform';
import { tempDir } from '../helpers/platform';
import { ObjectStore } from '../../kernel/storage/object-store';
import { EMBEDDED_ACCESS_KEY_ID, EMBEDDED_SECRET_ACCESS_KEY } from '../../kernel/config';

describe('the command line runs the batch tutorial: the MNIST model scores the test digits npm start prepares', function () {
  this.timeout(180_000);
  let t: TestPlatform;

  before(async () => {
    t = await startTestPlatform({ PREPARE_SAMPLES: 'true' });
    await importMnist(t, 'cli-batch', 'mnist');
  });

  after(async () => t?.close());

  it('creates the batch service, follows it to its end and names the manifest; the digits are scored right', async () => {
    const { code, lines } = await cli(t.url, 'batch', '--name', 'mnist-batch', '--model', 'mnist', '--src', 'obs://test-modelarts/mnist/batch-input/', '--dest', 'obs://test-modelarts/mnist/batch-output/');
    assert.equal(code, 0, lines.join('\n'));
    assert.match(lines[0], /^batch service mnist-batch \([0-9a-f-]{36}\) created: obs:\/\/test-modelarts\/mnist\/batch-input\/ → obs:\/\/test-modelarts\/mnist\/batch-output\/$/);
    assert.ok(lines.includes('mnist-batch: running'), lines.join('\n'));
    const finished = lines.find((l) => l.startsWith('Finished'));
    assert.match(finished ?? '', /^Finished in \d+\.\d s: 100 of 100 inputs scored, 0 failed$/, lines.join('\n'));
    assert.match(lines.join('\n'), /manifest obs:\/\/test-modelarts\/mnist\/batch-output\/infer-result-[0-9a-f-]{36}\.manifest/);

    const record = (await api(t.url, 'GET', '/services?infer_type=batch')).body.items[0];
    const out = new BatchOutputs(t.store, record);
    let right = 0;
    for (const line of await readManifest(t.store, record)) {
      const label = /_label_(\d)\.png$/.exec(line.source)![1];
      if (JSON.parse(await out.text(line['inference-loc'])).predicted_label === label) right++;
    }
    assert.ok(right >= 80, `${right} of 100 test digits right`);
  });

  it('follows a batch service by name, and lists it with its type and progress', async () => {
    const followed = await cli(t.url, 'follow', 'mnist-batch');
    assert.equal(followed.code, 0, followed.lines.join('\n'));
    assert.deepEqual(followed.lines.slice(0, 2).map((l) => l.replace(/ in \d+\.\d s/, '')), ['mnist-batch: finished', 'Finished: 100 of 100 inputs scored, 0 failed']);
    const listed = await cli(t.url, 'list', 'services');
    assert.match(listed.lines.find((l) => l.startsWith('mnist-batch')) ?? '', /^mnist-batch\s+batch\s+finished\s+mnist 1\.0\.0\s+100 of 100 inputs/);
  });

  it('npm start prepares the batch input, 100 labelled test digits, and the empty output folder, after its banner', async () => {
    const platform = await spawnPlatform({ PREPARE_SAMPLES: 'true', DATA_DIR: await tempDir('batch-start') });
    const store = new ObjectStore({ endpoint: platform.storageEndpoint, accessKeyId: EMBEDDED_ACCESS_KEY_ID, secretAccessKey: EMBEDDED_SECRET_ACCESS_KEY, region: 'us-east-1' });
    try {
      const keys = await waitFor('the batch digits', async () => {
        const listed = (await store.listAll({ bucket: 'test-modelarts', key: 'mnist/batch-' })).map((o) => o.key);
        return listed.length === 101 ? listed : undefined;
      });
      assert.ok(keys.includes('mnist/batch-output/'));
      assert.ok(keys.includes('mnist/batch-input/digit_0000_label_7.png'));
      assert.ok(keys.includes('mnist/batch-input/digit_0099_label_9.png'));
    } finally {
      store.destroy();
      await killHard(platform);
    }
  });
});
