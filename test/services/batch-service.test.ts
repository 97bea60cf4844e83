import assert from 'node:assert/strict';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { testDigits } from '../helpers/mnist-model';
import { importMnist, withHook } from '../helpers/services';
import { BatchOutputs, createBatch, readManifest, waitForBatch } from '../helpers/batch';

const BUCKET = 'batch-test';
const DIGITS = testDigits(Array.from({ length: 24 }, (_, i) => i));

describe('Batch services: a model scores a whole OBS folder, CSV or manifest', function () {
  this.timeout(180_000);
  let t: TestPlatform;
  let model: any;

  before(async () => {
    t = await startTestPlatform({ BATCH_MANIFEST_LINES: '10' });
    model = await importMnist(t, BUCKET, 'mnist-batch');
    for (const d of DIGITS) await t.store.put({ bucket: BUCKET, key: `digits/test_${d.index}_label_${d.label}.png` }, d.png);
    await t.store.put({ bucket: BUCKET, key: 'digits/notes.txt' }, 'not an image');
  });

  after(async () => t?.close());

  it('scores every file under src_path into infer-result-{task_id}.manifest (split every BATCH_MANIFEST_LINES lines) and <name>_result.txt files', async () => {
    const created = await createBatch(t.url, { name: 'digits-batch', model_id: model.id, src_path: `obs://${BUCKET}/digits/`, dest_path: `obs://${BUCKET}/out/`, req_uri: '/', mapping_type: 'file' });
    assert.equal(created.infer_type, 'batch');
    assert.ok(['deploying', 'running'].includes(created.status), created.status);
    const done = await waitForBatch(t.url, created.id);
    assert.equal(done.status, 'finished', JSON.stringify(done.events));
    assert.deepEqual(done.progress, { total: 25, done: 25, failed: 1 });
    const out = new BatchOutputs(t.store, done);
    assert.deepEqual(done.outputs.manifests, [0, 1, 2].map((p) => `obs://${BUCKET}/out/infer-result-${done.task_id}${p ? `_${p}` : ''}.manifest`));
    const lines = await readManifest(t.store, done);
    assert.deepEqual((await Promise.all(done.outputs.manifests.map((m: string) => out.lines(m)))).map((l) => l.length), [10, 10, 5]);
    assert.deepEqual(lines.map((l) => l.source).sort(), [...DIGITS.map((d) => `obs://${BUCKET}/digits/test_${d.index}_label_${d.label}.png`), `obs://${BUCKET}/digits/notes.txt`].sort());
    const failed = lines.filter((l) => l.result === 'FAILED');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].source, `obs://${BUCKET}/digits/notes.txt`);
    assert.match(failed[0].error_message, /^400 MR\.0105: /);
    let right = 0;
    for (const line of lines.filter((l) => l.result === 'SUCCESSFUL')) {
      const name = line.source.split('/').pop();
      assert.equal(line['inference-loc'], `obs://${BUCKET}/out/infer-result-${done.task_id}/${name}_result.txt`);
      const answer = JSON.parse(await out.text(line['inference-loc']));
      assert.equal(answer.scores.length, 5);
      if (answer.predicted_label === /_label_(\d)\.png$/.exec(name)![1]) right++;
    }
    assert.ok(right >= 18, `${right} of 24 digits right`);
  });

  it('refuses a req_uri that is not one of the model\'s apis, a src_path with nothing in it and a missing bucket, naming the field', async () => {
    const base = { name: 'refused', infer_type: 'batch', model_id: model.id, src_path: `obs://${BUCKET}/digits/`, dest_path: `obs://${BUCKET}/out/`, req_uri: '/', mapping_type: 'file' };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ req_uri: '/predict' }, 'req_uri', /"\/predict" is not one of model mnist-batch 1\.0\.0's config\.json apis URLs \("\/"\)/],
      [{ src_path: `obs://${BUCKET}/nothing-here/` }, 'src_path', /holds no objects; upload the inputs first/],
      [{ dest_path: 'obs://no-such-bucket/out/' }, 'dest_path', /bucket no-such-bucket does not exist/],
      [{ mapping_type: 'csv' }, 'mapping_rule', /mapping_type csv needs mapping_rule/],
      [{ src_type: 'ManifestFile' }, 'src_path', /names a \.manifest file/],
    ];
    for (const [change, path, message] of cases) {
      const res = await api(t.url, 'POST', '/services', { ...base, ...change });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.errors[0].path, path);
      assert.match(res.body.errors[0].message, message);
    }
    const listed = await api(t.url, 'GET', '/services?infer_type=batch');
    assert.ok(!listed.body.items.some((s: any) => s.name === 'refused'));
  });

  it('refuses a model whose API has no request Content-type or data: a batch needs them', async () => {
    const bare = await importMnist(t, BUCKET, 'mnist-no-request', '1.0.0', async (modelDir) => {
      const fs = await import('node:fs/promises');
      const config = JSON.parse(await fs.readFile(`${modelDir}/config.json`, 'utf8'));
      // Without a file field, config.json may leave the request's Content-type and data out (JSON is assumed).
      delete config.apis[0].request['Content-type'];
      delete config.apis[0].request.data;
      await fs.writeFile(`${modelDir}/config.json`, JSON.stringify(config));
    });
    const res = await api(t.url, 'POST', '/services', { name: 'no-type', infer_type: 'batch', model_id: bare.id, src_path: `obs://${BUCKET}/digits/`, dest_path: `obs://${BUCKET}/out/`, req_uri: '/', mapping_type: 'file' });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.errors[0].path, 'req_uri');
    assert.match(res.body.errors[0].message, /needs config\.json apis\[0\]\.request\.data \(the request.s fields\)/);
  });

  it('reads a .manifest of obs://, s3:// and missing sources; a source that cannot be read fails alone', async () => {
    const sources = [`obs://${BUCKET}/digits/test_0_label_7.png`, `s3://${BUCKET}/digits/test_1_label_2.png`, `obs://${BUCKET}/digits/missing.png`, `/${BUCKET}/digits/test_2_label_1.png`];
    await t.store.put({ bucket: BUCKET, key: 'lists/three.manifest' }, `${sources.map((source) => JSON.stringify({ source })).join('\n')}\nnot json\n`);
    const created = await createBatch(t.url, { name: 'from-manifest', model_id: model.id, src_path: `obs://${BUCKET}/lists/three.manifest`, src_type: 'ManifestFile', dest_path: `obs://${BUCKET}/from-manifest/`, req_uri: '/', mapping_type: 'file' });
    const done = await waitForBatch(t.url, created.id);
    assert.equal(done.status, 'finished', JSON.stringify(done.events));
    assert.deepEqual(done.progress, { total: 5, done: 5, failed: 2 });
    const lines = await readManifest(t.store, done);
    const bySource = new Map(lines.map((l) => [l.source, l]));
    assert.equal(bySource.get(sources[1])!.result, 'SUCCESSFUL');
    assert.equal(bySource.get(sources[3])!.result, 'SUCCESSFUL');
    assert.match(bySource.get(sources[2])!.error_message, /^Download file failed: .*does not exist/);
    assert.match(bySource.get('not json')!.error_message, /line 5 of the manifest is not JSON/);
  });

  it('shares the inputs among instance_count instances, and answers through ModelArts\' v1 API', async () => {
    const v1 = await api(t.url, 'POST', '/v1/modelarts-local/services', {
      service_name: 'digits-two',
      infer_type: 'batch',
      config: [{ model_id: model.id, specification: 'modelarts.vm.cpu.2u', instance_count: 2, src_path: `https://${BUCKET}.obs.cn-north-4.myhuaweicloud.com/digits/`, dest_path: `obs://${BUCKET}/two/`, req_uri: '/', mapping_type: 'file' }],
    });
    assert.equal(v1.status, 200, JSON.stringify(v1.body));
    const done = await waitForBatch(t.url, v1.body.service_id);
    assert.equal(done.status, 'finished', JSON.stringify(done.events));
    assert.equal(done.instances.length, 2);
    for (const i of done.instances) assert.ok(i.requests > 0, JSON.stringify(done.instances));
    assert.equal(done.instances.reduce((n: number, i: any) => n + i.requests, 0), 25);
    const detail = (await api(t.url, 'GET', `/v1/modelarts-local/services/${done.id}`)).body;
    assert.equal(detail.infer_type, 'batch');
    assert.equal(detail.status, 'finished');
    assert.equal(detail.progress, 100);
    assert.equal(detail.invocation_times, 25);
    assert.equal(detail.failed_times, 1);
    assert.equal(detail.config[0].src_path, `https://${BUCKET}.obs.cn-north-4.myhuaweicloud.com/digits/`);
    assert.equal(typeof detail.finished_time, 'number');
    const list = (await api(t.url, 'GET', '/v1/modelarts-local/services?infer_type=batch')).body;
    assert.ok(list.services.every((s: any) => s.infer_type === 'batch'));
    assert.ok(list.services.some((s: any) => s.service_id === done.id));
    const bad = await api(t.url, 'POST', '/v1/modelarts-local/services', { service_name: 'bad-v1', infer_type: 'batch', config: [{ model_id: model.id, src_path: `obs://${BUCKET}/digits/`, dest_path: `obs://${BUCKET}/x/`, req_uri: '/nope', mapping_type: 'file' }] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].path, 'config[0].req_uri');
  });

  it('stops when asked: no more inputs are sent, and the manifest holds those that were scored', async () => {
    for (let i = 0; i < 200; i++) await t.store.put({ bucket: BUCKET, key: `many/d${i}.png` }, DIGITS[i % DIGITS.length].png);
    const created = await createBatch(t.url, { name: 'stopped-batch', model_id: model.id, src_path: `obs://${BUCKET}/many/`, dest_path: `obs://${BUCKET}/stopped/`, req_uri: '/', mapping_type: 'file', batching: false });
    const stopped = await api(t.url, 'POST', `/services/${created.id}/stop`);
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    const done = await waitForBatch(t.url, created.id);
    assert.equal(done.status, 'stopped');
    const lines = await readManifest(t.store, done);
    assert.equal(lines.length, done.progress.done);
    const again = await api(t.url, 'POST', `/services/${created.id}/deploy`, {});
    assert.equal(again.status, 409);
    assert.match(again.body.error_msg, /is a batch service \(stopped\); it scores its inputs once/);
  });

  it('fails with the reason when its instances cannot start, and writes nothing', async () => {
    const broken = await importMnist(t, BUCKET, 'mnist-broken-hook', '1.0.0', withHook('fails-to-load.js'));
    const created = await createBatch(t.url, { name: 'broken-batch', model_id: broken.id, src_path: `obs://${BUCKET}/digits/`, dest_path: `obs://${BUCKET}/broken/`, req_uri: '/', mapping_type: 'file' });
    const done = await waitForBatch(t.url, created.id);
    assert.equal(done.status, 'failed');
    assert.match(done.reason, /this-package-is-not-installed/);
    assert.match(done.events.at(-1).message, /^the batch failed: /);
    assert.deepEqual(await t.store.listAll({ bucket: BUCKET, key: 'broken/' }), []);
  });
});
