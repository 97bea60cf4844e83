import assert from 'node:assert/strict';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { testDigits } from '../helpers/mnist-model';
import { deployService, importMnist } from '../helpers/services';

const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));

describe("KServe's Open Inference Protocol (V2) on a running service", function () {
  this.timeout(120_000);
  let t: TestPlatform;
  let base: string;
  let gateway: string;
  const digits = testDigits([0, 1, 2]);
  const pixels = (i: number) => Array.from(digits[i].pixels, (v) => v / 255);

  before(async () => {
    t = await startTestPlatform();
    const model = await importMnist(t, 'v2-protocol', 'mnist');
    const service = await deployService(t.url, { name: 'digits', model_id: model.id });
    assert.equal(service.status, 'running', JSON.stringify(service.events));
    base = service.access_address.replace(/\/$/, '');
    gateway = `${t.url}/v1/infers/${service.id}`;
  });

  after(async () => t?.close());

  it('answers health, server metadata, model metadata and readiness', async () => {
    assert.deepEqual((await api(base, 'GET', '/v2/health/live')).body, { live: true });
    assert.deepEqual((await api(base, 'GET', '/v2/health/ready')).body, { ready: true });
    const server = (await api(base, 'GET', '/v2')).body;
    assert.equal(server.name, 'digits');
    assert.deepEqual(server.extensions, []);
    const metadata = { name: 'digits', versions: ['1'], platform: 'tfjs_layers', inputs: [{ name: 'images', datatype: 'FP32', shape: [-1, 784] }], outputs: [{ name: 'scores', datatype: 'FP32', shape: [-1, 10] }] };
    assert.deepEqual((await api(base, 'GET', '/v2/models/digits')).body, metadata);
    assert.deepEqual((await api(base, 'GET', '/v2/models/digits/versions/1')).body, metadata);
    const ready = await api(base, 'GET', '/v2/models/digits/versions/1/ready');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { name: 'digits', ready: true });
  });

  it('infers on a batch of two digits sent flat with their shape, as TF Serving answers them, and echoes the id', async () => {
    const res = await api(base, 'POST', '/v2/models/digits/infer', { id: 'req-7', inputs: [{ name: 'images', shape: [2, 784], datatype: 'FP32', data: [...pixels(0), ...pixels(1)] }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.model_name, 'digits');
    assert.equal(res.body.model_version, '1');
    assert.equal(res.body.id, 'req-7');
    const [out] = res.body.outputs;
    assert.deepEqual([out.name, out.datatype, out.shape], ['scores', 'FP32', [2, 10]]);
    assert.equal(out.data.length, 20);
    const tfServing = await api(base, 'POST', '/v1/models/digits:predict', { instances: [pixels(0), pixels(1)] });
    assert.deepEqual(out.data, tfServing.body.predictions.flat());
    assert.equal(argmax(out.data.slice(0, 10)), digits[0].label);
    assert.equal(argmax(out.data.slice(10)), digits[1].label);
  });

  it('takes nested data and an outputs list, and works through the gateway', async () => {
    const nested = [pixels(2)];
    const res = await api(gateway, 'POST', '/v2/models/digits/infer', { inputs: [{ name: 'images', shape: [1, 784], datatype: 'FP32', data: nested }], outputs: [{ name: 'scores' }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(argmax(res.body.outputs[0].data), digits[2].label);
  });

  it('answers errors as {"error": …}: 404 for unknown models and versions, 400 for inputs that do not fit', async () => {
    const infer = (body: unknown, model = 'digits') => api(base, 'POST', `/v2/models/${model}/infer`, body);
    const good = { name: 'images', shape: [1, 784], datatype: 'FP32', data: pixels(0) };
    const cases: [string, Promise<{ status: number; body: any }>, number, RegExp][] = [
      ['unknown model', infer({ inputs: [good] }, 'other'), 404, /not found|serves "digits"/i],
      ['unknown version', api(base, 'GET', '/v2/models/digits/versions/9'), 404, /versions here: 1/],
      ['wrong datatype', infer({ inputs: [{ ...good, datatype: 'INT32' }] }), 400, /datatype INT32; the model takes FP32/],
      ['wrong shape', infer({ inputs: [{ ...good, shape: [1, 28, 28] }] }), 400, /shape \[1,28,28\]; the model takes \[-1,784\]/],
      ['data of another size', infer({ inputs: [{ ...good, shape: [2, 784] }] }), 400, /784 values in "data"; shape \[2,784\] holds 1568/],
      ['an unknown input', infer({ inputs: [good, { ...good, name: 'extra' }] }), 400, /unexpected inference input "extra"/],
      ['no inputs', infer({}), 400, /"inputs" must be a list/],
      ['an unknown output', infer({ inputs: [good], outputs: [{ name: 'logits' }] }), 400, /unexpected inference output "logits"/],
      ['a string value', infer({ inputs: [{ ...good, data: ['x', ...pixels(0).slice(1)] }] }), 400, /"x" where a finite number belongs/],
    ];
    for (const [what, request, status, message] of cases) {
      const res = await request;
      assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(Object.keys(res.body), ['error'], what);
      assert.match(res.body.error, message, what);
    }
  });
});
