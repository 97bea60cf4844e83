import assert from 'node:assert/strict';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api, waitFor } from '../helpers/http';
import { MNIST_BOOT, testDigits, uploadMnistCode, uploadMnistData } from '../helpers/mnist-model';
import { createJob, waitForJob } from '../helpers/jobs';
import { deployService, importMnist, predictFile, settledFailures, withHook } from '../helpers/services';
import { pythonWorkerPids, withPythonHook } from '../helpers/python-hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { batchSizes } from '../helpers/prometheus';

const BUCKET = 'python-hooks';
const DIGITS = testDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
const TIMEOUT_MS = 3000;

describe('Python inference code (customize_service.py) beside the JavaScript hooks', function () {
  this.timeout(240_000);
  let t: TestPlatform;
  let model: any;
  let service: any;

  before(async () => {
    t = await startTestPlatform({ PREDICT_TIMEOUT_MS: String(TIMEOUT_MS) });
    model = await importMnist(t, BUCKET, 'mnist-python', '1.0.0', withPythonHook());
    service = await deployService(t.url, { name: 'mnist-python-svc', model_id: model.id });
  });

  after(async () => t?.close());

  it('imports a package whose model/ holds customize_service.py and no JavaScript hook', () => {
    assert.equal(model.status, 'published');
    assert.equal(model.hook_file, 'customize_service.py');
  });

  it('deploys it with Python workers, and says in the events that tensorflow is the platform\'s', () => {
    assert.equal(service.status, 'running', JSON.stringify(service.events));
    const events = service.events.map((e: any) => e.message).join('\n');
    assert.match(events, /hook customize_service\.py \(class MnistService; Python 3\.\d+\.\d+ at \S+, 2 workers\)/);
    assert.match(events, /config\.json lists tensorflow>=1\.8\.0: provided by the platform — the model runs in the instance behind its TF Serving REST API/);
  });

  for (const via of ['gateway', 'access address'] as const) {
    it(`answers real MNIST digits with predicted_label and five sorted scores through the ${via}`, async () => {
      const url = via === 'gateway' ? `${t.url}/v1/infers/${service.id}/` : service.access_address;
      let right = 0;
      for (const d of DIGITS) {
        const res = await predictFile(url, d.png, { fileName: `img_${d.index}.png` });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.headers.get('x-response-schema-mismatch'), null);
        const { predicted_label: label, scores } = res.body;
        assert.equal(scores.length, 5);
        assert.equal(scores[0][0], label);
        for (let i = 1; i < 5; i++) assert.ok(scores[i - 1][1] >= scores[i][1], 'scores are sorted');
        assert.ok(scores.every(([l, s]: [string, number]) => /^\d$/.test(l) && typeof s === 'number' && s >= 0 && s <= 1));
        if (label === String(d.label)) right++;
      }
      assert.ok(right >= 8, `${right} of 10 test digits right`);
    });
  }

  it('answers the same as the JavaScript hook of the same model, to float precision', async () => {
    const js = await importMnist(t, BUCKET, 'mnist-js', '1.0.0');
    const jsService = await deployService(t.url, { name: 'mnist-js-svc', model_id: js.id });
    for (const d of DIGITS.slice(0, 3)) {
      const [py, ref] = await Promise.all([predictFile(service.access_address, d.png), predictFile(jsService.access_address, d.png)]);
      assert.equal(py.body.predicted_label, ref.body.predicted_label);
      py.body.scores.forEach(([l, s]: [string, number], i: number) => {
        assert.equal(l, ref.body.scores[i][0]);
        assert.ok(Math.abs(s - ref.body.scores[i][1]) < 1e-5, `${s} vs ${ref.body.scores[i][1]}`);
      });
    }
    await api(t.url, 'DELETE', `/services/${jsService.id}`);
  });

  it('gives _preprocess ModelArts\' shapes and _inference lists by output name, with model_name and model_path set', async () => {
    const m = await importMnist(t, BUCKET, 'shape-probe', '1.0.0', withPythonHook('shape_probe.py'));
    const s = await deployService(t.url, { name: 'shape-probe-svc', model_id: m.id });
    assert.equal(s.status, 'running', JSON.stringify(s.events));
    const form = new FormData();
    form.append('note', 'hello');
    form.append('images', new Blob([DIGITS[0].png]), 'a.png');
    form.append('images', new Blob([DIGITS[1].png]), 'b.png');
    const multipart: any = await (await fetch(s.access_address, { method: 'POST', body: form })).json();
    assert.deepEqual(multipart.received, {
      note: 'hello',
      images: { 'a.png': { type: 'BytesIO', bytes: DIGITS[0].png.length }, 'b.png': { type: 'BytesIO', bytes: DIGITS[1].png.length } },
    });
    assert.deepEqual(multipart.outputs, { scores: ['list', 2, 10, 'float'] });
    assert.equal(multipart.sums.length, 2);
    for (const sum of multipart.sums) assert.ok(Math.abs(sum - 1) < 1e-3, `softmax scores sum to ${sum}`);
    assert.equal(multipart.model_name, 'shape-probe');
    assert.equal(multipart.model_path_has_model_json, true);
    assert.deepEqual(multipart.numpy_values, [0.25, [0, 1, 2]]);
    const json = await api(s.access_address, 'POST', '', { instances: [1, 2], name: 'x', nested: { a: null } });
    assert.equal(json.status, 200, JSON.stringify(json.body));
    assert.deepEqual(json.body.received, { instances: [1, 2], name: 'x', nested: { a: null } });
    assert.equal(json.body.type, 'dict');
  });

  it('runs _inference over the worker\'s own channel, with the outputs and refusals of the TF Serving REST API hooks can still call', async () => {
    const m = await importMnist(t, BUCKET, 'channel-probe', '1.0.0', withPythonHook('model_channel_probe.py'));
    const s = await deployService(t.url, { name: 'channel-probe-svc', model_id: m.id });
    assert.equal(s.status, 'running', JSON.stringify(s.events));
    const res = await predictFile(s.access_address, DIGITS[0].png);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.channel, true);
    assert.deepEqual(res.body.same, {
      'float32 [1, 784]': true,
      'float64 [2, 784]': true,
      'int64 [1, 784]': true,
      'uint8 [784]': true,
      'list of arrays': true,
      'bare nested list': true,
      'bare array': true,
    });
    // NaN: JSON cannot carry it (the REST client's body is refused as not JSON), the raw bytes are refused by the model's checks.
    assert.deepEqual(res.body.refused, { 'wrong shape': ['InputError', 'InputError'], NaN: ['InputError', 'InputError'], 'unknown input': ['InputError', 'InputError'] });
    await api(t.url, 'DELETE', `/services/${s.id}`);
  });

  it('trains the tutorial job with inference_code=python and serves the package it writes', async () => {
    await uploadMnistData(t.store, `obs://${BUCKET}/mnist/dataset-mnist/`);
    await uploadMnistCode(t.store, `obs://${BUCKET}/mnist/code/`);
    const job = await createJob(t.url, {
      name: 'trainjob-mnist-py',
      algorithm: {
        engine: 'tfjs',
        code_dir: `obs://${BUCKET}/mnist/code/`,
        boot_file: MNIST_BOOT,
        parameters: [{ name: 'max_steps', value: '100' }, { name: 'inference_code', value: 'python' }],
      },
      data_url: `obs://${BUCKET}/mnist/dataset-mnist/`,
      train_url: `obs://${BUCKET}/mnist/model-py/`,
    });
    const done = await waitForJob(t.url, job.id);
    assert.equal(done.versions[0].status, 'Completed', done.versions[0].reason);
    const imported = await api(t.url, 'POST', '/models/import', { name: 'mnist-py-job', version: '1.0.0', training_job_id: job.id });
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    assert.equal(imported.body.hook_file, 'customize_service.py');
    assert.ok(!imported.body.files.some((f: any) => f.path === 'customize_service.js'));
    const s = await deployService(t.url, { name: 'mnist-py-job-svc', model_id: imported.body.id });
    assert.equal(s.status, 'running', JSON.stringify(s.events));
    const res = await predictFile(s.access_address, DIGITS[0].png);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.predicted_label, String(DIGITS[0].label));
    await api(t.url, 'DELETE', `/services/${s.id}`);
  });

  describe('faults', () => {
    let faulty: any;
    let jsFaulty: any;
    before(async () => {
      const m = await importMnist(t, BUCKET, 'faulty-python', '1.0.0', withPythonHook('mnist_with_faults.py'));
      faulty = await deployService(t.url, { name: 'faulty-python-svc', model_id: m.id });
      const js = await importMnist(t, BUCKET, 'faulty-js', '1.0.0', withHook('mnist-with-faults.js'));
      jsFaulty = await deployService(t.url, { name: 'faulty-js-svc', model_id: js.id });
    });

    it('answers a hook that raises as ModelArts\' runtime does (500 MR.0105 "Recognition failed"), with what it raised in a header and the traceback in the events only', async () => {
      const [py, js] = await Promise.all([faulty, jsFaulty].map((s) => predictFile(s.access_address, DIGITS[0].png, { fields: { fault: 'throw' } })));
      assert.equal(py.status, 500);
      assert.equal(py.status, js.status);
      assert.deepEqual(py.body, { erno: 'MR.0105', msg: 'Recognition failed', words_result: {} });
      assert.equal(py.headers.get('x-modelarts-error'), "the model's _preprocess failed: ValueError: boom: the hook failed on purpose");
      assert.equal(js.body.error_msg, "the model's _preprocess failed: Error: boom: the hook failed on purpose", 'a JavaScript hook keeps the platform\'s shape');
      assert.doesNotMatch(JSON.stringify(py.body), /Traceback|\.py/);
      // Events reach the record a moment after the answer.
      const events = await waitFor('the traceback event', async () => {
        const all = (await api(t.url, 'GET', `/services/${faulty.id}`)).body.events.map((e: any) => e.message).join('\n');
        return /Traceback/.test(all) ? all : undefined;
      });
      assert.match(events, /customize_service\.py raised \(Python worker \d+\):\nTraceback \(most recent call last\):[\s\S]*customize_service\.py", line \d+, in _preprocess[\s\S]*ValueError: boom/);
      assert.equal((await predictFile(faulty.access_address, DIGITS[0].png)).status, 200);
    });

    it('answers 400 with its message for an InputError, and 500 "Recognition failed" for an upload Pillow cannot read, as the runtime', async () => {
      const refused = await predictFile(faulty.access_address, DIGITS[0].png, { fields: { fault: 'input' } });
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.body, { erno: 'MR.0105', msg: 'this digit is refused on purpose', words_result: {} });
      const garbage = await predictFile(faulty.access_address, Buffer.from('not an image at all'), { fileName: 'x.png' });
      assert.equal(garbage.status, 500);
      assert.deepEqual(garbage.body, { erno: 'MR.0105', msg: 'Recognition failed', words_result: {} });
      const why = garbage.headers.get('x-modelarts-error') ?? '';
      assert.match(why, /an uploaded file is not an image Pillow can read \(cannot identify image file/);
      assert.doesNotMatch(why, /0x[0-9a-f]+/);
    });

    it('runs the requests that wait for a worker together, each with its own answer or error, in fewer model calls', async () => {
      const pids = await pythonWorkerPids(faulty.instances[0].pid);
      const alone: any[] = [];
      for (const d of DIGITS) alone.push((await predictFile(faulty.access_address, d.png)).body);
      const before = await batchSizes(faulty.access_address);
      // Both workers busy for 0.3 s, so the burst waits and each worker then takes its share of it at once.
      const busy = pids.map(() => predictFile(faulty.access_address, DIGITS[0].png, { fields: { fault: 'slow' } }));
      await sleep(100);
      const faults: (string | undefined)[] = [...DIGITS.map(() => undefined), 'throw', 'input', 'shape', ...DIGITS.map(() => undefined)];
      const burst = await Promise.all(faults.map((fault, i) => predictFile(faulty.access_address, DIGITS[i % 10].png, fault ? { fields: { fault } } : {})));
      assert.deepEqual((await Promise.all(busy)).map((r) => r.status), pids.map(() => 200));
      const expected = faults.map((fault) => ({ throw: 500, input: 400, shape: 400 })[fault ?? ''] ?? 200);
      assert.deepEqual(burst.map((r) => r.status), expected, JSON.stringify(burst.map((r) => r.body)));
      // Each digit's answer is the one it gets alone (to float precision: a batch may sum in another order).
      faults.forEach((fault, i) => {
        if (fault) return;
        assert.equal(burst[i].body.predicted_label, alone[i % 10].predicted_label);
        burst[i].body.scores.forEach(([label, score]: [string, number], k: number) => {
          assert.equal(label, alone[i % 10].scores[k][0]);
          assert.ok(Math.abs(score - alone[i % 10].scores[k][1]) < 1e-5, `${score} vs ${alone[i % 10].scores[k][1]}`);
        });
      });
      assert.equal(burst[faults.indexOf('input')].body.msg, 'this digit is refused on purpose');
      assert.match(burst[faults.indexOf('shape')].headers.get('x-modelarts-error') ?? burst[faults.indexOf('shape')].body.msg, /the model did not accept the inputs/);
      const after = await batchSizes(faulty.access_address);
      const rows = after.sum - before.sum;
      const calls = after.count - before.count;
      assert.equal(rows, pids.length + faults.filter((f) => f !== 'throw' && f !== 'input' && f !== 'shape').length, 'every digit the hook sent reached the model once');
      assert.ok(calls < rows / 2, `${rows} rows in ${calls} model calls`);
    });

    it('answers 504 for a hook that hangs, replaces that worker and goes on serving', async () => {
      const before = await pythonWorkerPids(faulty.instances[0].pid);
      const res = await predictFile(faulty.access_address, DIGITS[0].png, { fields: { fault: 'sleep' } });
      assert.equal(res.status, 504);
      const after = await waitFor('the stuck worker to be replaced', async () => {
        const pids = await pythonWorkerPids(faulty.instances[0].pid);
        return pids.length === before.length && pids.some((p) => !before.includes(p)) ? pids : undefined;
      });
      assert.equal(after.filter((p) => before.includes(p)).length, before.length - 1);
      assert.equal((await predictFile(faulty.access_address, DIGITS[0].png)).status, 200);
    });

    it('restarts a Python worker killed under load, and the gateway sends its request again', async () => {
      const url = `${t.url}/v1/infers/${faulty.id}/`;
      const failuresBefore = await settledFailures(t.url, faulty.id);
      const { instances } = (await api(t.url, 'GET', `/services/${faulty.id}`)).body;
      const instancePid = instances[0].pid;
      const before = await pythonWorkerPids(instancePid);
      assert.equal(before.length, 2);
      // Six requests of 0.3 s each: both workers are busy, four wait. Once the first answer is in,
      // that worker has taken its share of the queue (two of the four, run together), so the kill
      // lands mid-request however slow the machine is (a fixed wait could kill a worker before it had one).
      const digits = DIGITS.slice(0, 6);
      const answers = digits.map((d) => predictFile(url, d.png, { fields: { fault: 'slow' } }));
      await Promise.race(answers);
      process.kill(before[0], 'SIGKILL');
      const got = await Promise.all(answers);
      assert.deepEqual(got.map((r) => r.status), digits.map(() => 200), JSON.stringify(got.map((r) => r.body)));
      assert.deepEqual(got.map((r) => r.body.predicted_label), digits.map((d) => String(d.label)));
      const after = await waitFor('a worker in place of the killed one', async () => {
        const pids = await pythonWorkerPids(instancePid);
        return pids.length === 2 && !pids.includes(before[0]) ? pids : undefined;
      });
      assert.ok(after.includes(before[1]), 'the other worker went on');
      const s = (await api(t.url, 'GET', `/services/${faulty.id}`)).body;
      assert.equal(s.instances[0].pid, instancePid, 'the instance itself was not restarted');
      const events = s.events.map((e: any) => e.message).join('\n');
      assert.match(events, new RegExp(`Python worker ${before[0]} was killed by SIGKILL .*; restarting it`));
      assert.match(events, /Python worker \d+ started in place of the one that ended/);
      // The requests the killed worker held (one, or the two it took together) were sent again, and
      // their clients saw a 200 (above): on a connection the gateway passed to the instance
      // (GATEWAY_MODE=pass) by the instance itself, counting nothing as failed; on one the gateway
      // proxied, by the gateway after the instance's 503, which counts once each. Which one a
      // connection is depends on timing; more is a lost answer.
      const failedAnswers = (await settledFailures(t.url, faulty.id)) - failuresBefore;
      assert.ok(failedAnswers <= 2, `${failedAnswers} answers failed; at most the two the killed worker held may`);
    });

    it('answers 503 MR.0113, marked as retryable, to a client of the instance itself', async () => {
      const pids = await pythonWorkerPids(faulty.instances[0].pid);
      const answers = pids.map(() => predictFile(faulty.access_address, DIGITS[0].png, { fields: { fault: 'slow' } }));
      await sleep(150);
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      const got = await Promise.all(answers);
      assert.ok(got.some((r) => r.status === 503), JSON.stringify(got.map((r) => r.body)));
      for (const r of got.filter((x) => x.status === 503)) {
        assert.equal(r.body.erno, 'MR.0113');
        assert.match(r.body.msg, /^the Python worker answering this request was killed by SIGKILL .*; it is being restarted, send the request again$/);
        assert.equal(r.headers.get('x-modelarts-retryable'), '1');
      }
      await waitFor('the workers to be back', async () => ((await predictFile(faulty.access_address, DIGITS[0].png)).status === 200 ? true : undefined));
    });

    it('fails the deploy when a listed dependency does not import, naming it and how to install it', async () => {
      const absent = { restraint: '', package_version: '', package_name: 'modelarts-local-absent-pkg' };
      const m = await importMnist(t, BUCKET, 'absent-dependency', '1.0.0', withPythonHook(undefined, (c) => c.dependencies[0].packages.push(absent)));
      const s = await deployService(t.url, { name: 'absent-dependency-svc', model_id: m.id });
      assert.equal(s.status, 'failed');
      assert.match(s.reason, /config\.json dependencies do not import in \S+ \(Python 3\.\d+\.\d+\): modelarts-local-absent-pkg \(import modelarts_local_absent_pkg: ModuleNotFoundError: No module named 'modelarts_local_absent_pkg'\); install it with: \S+ -m pip install 'modelarts-local-absent-pkg'/);
      assert.match(s.reason, /Packages are not installed at deploy/);
      assert.doesNotMatch(s.reason, /numpy|Pillow|h5py/, 'the packages that import are not named');
    });

    it('fails the deploy of a hook that cannot load, with its error and line', async () => {
      const m = await importMnist(t, BUCKET, 'syntax-error', '1.0.0', withPythonHook('syntax_error.py'));
      const s = await deployService(t.url, { name: 'syntax-error-svc', model_id: m.id });
      assert.equal(s.status, 'failed');
      assert.match(s.reason, /customize_service\.py failed to load: SyntaxError: .* \(customize_service\.py:5\)/);
    });
  });
});
