import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { repoPath } from '../../kernel/paths';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { testDigits } from '../helpers/mnist-model';
import { importMnist } from '../helpers/services';
import { withPythonHook } from '../helpers/python-hooks';
import { BatchOutputs, createBatch, readManifest, waitForBatch } from '../helpers/batch';

const BUCKET = 'batch-rows';
const number = { type: 'number' };
/** The request of ModelArts' own CSV example ("Example Mapping"), and its mapping rule. */
const REQUEST = { type: 'object', properties: { data: { type: 'object', properties: { req_data: { type: 'array', items: [{ type: 'object', properties: { input_1: number, input_2: number, input_3: number, input_4: number } }] } } } } };
const RULE = structuredClone(REQUEST);
['input_1', 'input_2', 'input_3', 'input_4'].forEach((k, i) => ((RULE.properties.data.properties.req_data.items[0].properties as any)[k] = { type: 'number', index: i }));

/** The MNIST package with a hook that runs no model and a JSON API shaped as ModelArts' CSV example. */
function irisPackage(modelDir: string): Promise<void> {
  return (async () => {
    await fs.copyFile(repoPath('test', 'fixtures', 'hooks', 'iris-rows.js'), path.join(modelDir, 'customize_service.js'));
    const config = JSON.parse(await fs.readFile(path.join(modelDir, 'config.json'), 'utf8'));
    config.apis = [{ protocol: 'http', url: '/', method: 'post', request: { 'Content-type': 'application/json', data: REQUEST }, response: { 'Content-type': 'application/json', data: { type: 'object', properties: { sum: number } } } }];
    await fs.writeFile(path.join(modelDir, 'config.json'), JSON.stringify(config));
  })();
}

describe('Batch services over CSV rows (mapping_rule) and through Python inference code', function () {
  this.timeout(180_000);
  let t: TestPlatform;

  before(async () => {
    t = await startTestPlatform();
  });

  after(async () => t?.close());

  it('sends each CSV row as the request mapping_rule builds, skips a header, and writes one result line per row in <table>_result.txt', async () => {
    const model = await importMnist(t, BUCKET, 'iris-sum', '1.0.0', irisPackage);
    await t.store.put({ bucket: BUCKET, key: 'tables/iris.csv' }, 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n4.9,3.0,1.4,0.2\nx,1,2,3\n"4.7",3.2,1.3,0.2\n');
    await t.store.put({ bucket: BUCKET, key: 'tables/more.csv' }, '1,2,3,4\n');
    await t.store.put({ bucket: BUCKET, key: 'tables/readme.txt' }, 'left out: not a CSV file');
    const created = await createBatch(t.url, { name: 'iris-batch', model_id: model.id, src_path: `obs://${BUCKET}/tables/`, dest_path: `obs://${BUCKET}/sums/`, req_uri: '/', mapping_type: 'csv', mapping_rule: RULE });
    const done = await waitForBatch(t.url, created.id);
    assert.equal(done.status, 'finished', JSON.stringify(done.events));
    assert.deepEqual(done.progress, { total: 5, done: 5, failed: 1 });
    const events = done.events.map((e: any) => e.message).join('\n');
    assert.match(events, /1 objects under src_path are not \.csv files and were left out/);
    assert.match(events, /the first line of obs:\/\/batch-rows\/tables\/iris\.csv is a header/);
    const out = new BatchOutputs(t.store, done);
    const results = `obs://${BUCKET}/sums/infer-result-${done.task_id}`;
    assert.deepEqual(await out.lines(`${results}/iris.csv_result.txt`), [{ sum: 10.2 }, { sum: 9.5 }, { error_message: 'row 2: column 0 ("x") is not a number' }, { sum: 9.4 }]);
    assert.deepEqual(await out.lines(`${results}/more.csv_result.txt`), [{ sum: 10 }]);
    const lines = await readManifest(t.store, done);
    const iris = lines.filter((l) => l.source === `obs://${BUCKET}/tables/iris.csv`);
    assert.deepEqual(iris.map((l) => [l.row, l.result]), [[0, 'SUCCESSFUL'], [1, 'SUCCESSFUL'], [2, 'FAILED'], [3, 'SUCCESSFUL']]);
    assert.equal(iris[0]['inference-loc'], `${results}/iris.csv_result.txt`);
  });

  it('scores digits through customize_service.py (Python workers) as through the JavaScript hook', async () => {
    const digits = testDigits([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const d of digits) await t.store.put({ bucket: BUCKET, key: `digits/${d.index}_${d.label}.png` }, d.png);
    const js = await importMnist(t, BUCKET, 'mnist-js');
    const python = await importMnist(t, BUCKET, 'mnist-py', '1.0.0', withPythonHook());
    const answers: Record<string, Map<string, any>> = {};
    for (const [kind, model] of [['js', js], ['py', python]] as const) {
      const created = await createBatch(t.url, { name: `digits-${kind}`, model_id: model.id, src_path: `obs://${BUCKET}/digits/`, dest_path: `obs://${BUCKET}/digits-${kind}/`, req_uri: '/', mapping_type: 'file' });
      const done = await waitForBatch(t.url, created.id);
      assert.equal(done.status, 'finished', JSON.stringify(done.events));
      assert.deepEqual(done.progress, { total: 8, done: 8, failed: 0 });
      const out = new BatchOutputs(t.store, done);
      answers[kind] = new Map();
      for (const line of await readManifest(t.store, done)) answers[kind].set(line.source, JSON.parse(await out.text(line['inference-loc'])));
    }
    for (const [source, answer] of answers.js) {
      const fromPython = answers.py.get(source);
      assert.equal(fromPython.predicted_label, answer.predicted_label, source);
      assert.ok(Math.abs(Number(fromPython.scores[0][1]) - answer.scores[0][1]) < 1e-3, `${source}: ${JSON.stringify(fromPython)} vs ${JSON.stringify(answer)}`);
    }
  });
});
