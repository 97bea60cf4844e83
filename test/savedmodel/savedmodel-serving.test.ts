import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { deployService } from '../helpers/services';
import { predictionServiceDefinition } from '../../services/tf_serving/grpc-definitions';
import { encodeTf } from '../../compute/protos/tf-protos';
import { importPackage, packageOf, useModelFixtures } from './helpers';

type Client = grpc.Client & Record<string, (req: object, cb: (err: grpc.ServiceError | null, res: any) => void) => void>;

function call(client: Client, method: string, request: object): Promise<any> {
  return new Promise((resolve, reject) => client[method](request, (err, res) => (err ? reject(err) : resolve(res))));
}

describe('SavedModels written by TensorFlow import and serve with their own signatures', function () {
  this.timeout(120_000);
  const fixtures = useModelFixtures(this);
  let t: TestPlatform;

  before(async () => {
    t = await startTestPlatform();
  });

  after(async () => t?.close());

  describe('a TF1 builder graph (half_plus_two: VariableV2, a snappy index, five signatures)', () => {
    let base: string;
    let service: any;

    before(async () => {
      const dir = await packageOf(path.join(fixtures(), 'tf-serving', 'saved_model_half_plus_two_cpu', '00000123'));
      const imported = await importPackage(t, dir, 'half-plus-two');
      assert.equal(imported.status, 201, JSON.stringify(imported.body));
      assert.equal(imported.body.models[0].format, 'savedmodel');
      assert.deepEqual(imported.body.models[0].signatures, ['classify_x_to_y', 'regress_x2_to_y3', 'regress_x_to_y', 'regress_x_to_y2', 'serving_default']);
      service = await deployService(t.url, { name: 'half_plus_two', model_id: imported.body.id });
      assert.equal(service.status, 'running', service.reason);
      base = `${t.url}/v1/models/half_plus_two`;
    });

    it('answers :predict with y = 0.5x + 2 under the signature\'s own names', async () => {
      const res = await api(base, 'POST', ':predict', { instances: [[1.0], [2.0], [5.0]] });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { predictions: [[2.5], [3.0], [4.5]] });
      const columns = await api(base, 'POST', ':predict', { signature_name: 'serving_default', inputs: { x: [[3.0]] } });
      assert.deepEqual(columns.body, { outputs: [[3.5]] });
      // TF Serving's own README call: a TF1 placeholder takes a tensor of any shape.
      const readme = await api(base, 'POST', ':predict', { instances: [1.0, 2.0, 5.0] });
      assert.deepEqual(readme.body, { predictions: [2.5, 3.0, 4.5] });
    });

    it('runs another signature by name (regress_x2_to_y3: y3 = 0.5·x2 + 3)', async () => {
      const res = await api(base, 'POST', ':predict', { signature_name: 'regress_x2_to_y3', instances: [[1.0], [4.0]] });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { predictions: [[3.5], [5.0]] });
    });

    it('describes every signature as TensorFlow wrote it: tensor names, dtypes, shapes, methods', async () => {
      const res = await api(base, 'GET', '/metadata');
      const defs = res.body.metadata.signature_def.signature_def;
      assert.deepEqual(Object.keys(defs).sort(), ['classify_x_to_y', 'regress_x2_to_y3', 'regress_x_to_y', 'regress_x_to_y2', 'serving_default']);
      assert.deepEqual(defs.serving_default.inputs.x, { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: '-1', name: '' }, { size: '1', name: '' }], unknown_rank: false }, name: 'x:0' });
      assert.equal(defs.serving_default.outputs.y.name, 'y:0');
      assert.equal(defs.classify_x_to_y.method_name, 'tensorflow/serving/classify');
      assert.equal(defs.classify_x_to_y.inputs.inputs.dtype, 'DT_STRING');
    });

    it('answers POST / without inference code by feeding the JSON to the serving signature', async () => {
      const res = await api(service.access_address, 'POST', '', { x: [[8.0]] });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { y: [[6.0]] });
    });

    it('answers gRPC Predict with the signature named in model_spec', async () => {
      const Ctor = grpc.makeGenericClientConstructor(predictionServiceDefinition(), 'PredictionService');
      const client = new Ctor(service.grpc_address, grpc.credentials.createInsecure()) as unknown as Client;
      try {
        const res = await call(client, 'Predict', {
          model_spec: { name: 'half_plus_two', signature_name: 'regress_x2_to_y3' },
          inputs: { inputs: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 2 }, { size: 1 }] }, float_val: [2, 6] } },
        });
        assert.equal(res.model_spec.signature_name, 'regress_x2_to_y3');
        assert.deepEqual(res.outputs.outputs.float_val, [4, 6]);
      } finally {
        client.close();
      }
    });

    it('answers :regress and :classify with tf.Example features, parsed here as ParseExample would', async () => {
      const regress = await api(base, 'POST', ':regress', { signature_name: 'regress_x_to_y', examples: [{ x: 1.0 }, { x: 2.0 }] });
      assert.equal(regress.status, 200, JSON.stringify(regress.body));
      assert.deepEqual(regress.body, { results: [2.5, 3.0] });
      const withContext = await api(base, 'POST', ':regress', { signature_name: 'regress_x_to_y2', context: { x: 4.0 }, examples: [{}, { x: 6.0 }] });
      assert.deepEqual(withContext.body, { results: [5.0, 6.0] });
      const classify = await api(base, 'POST', ':classify', { signature_name: 'classify_x_to_y', examples: [{ x: 1.0 }] });
      assert.deepEqual(classify.body, { results: [[['', 2.5]]] });
      const wrong = await api(base, 'POST', ':classify', { examples: [{ x: 1.0 }] });
      assert.equal(wrong.status, 400);
      assert.match(wrong.body.error, /signature "serving_default" does not take tf\.Example input/);
    });

    it('answers gRPC Regress and Classify on tf.Example protos', async () => {
      const Ctor = grpc.makeGenericClientConstructor(predictionServiceDefinition(), 'PredictionService');
      const client = new Ctor(service.grpc_address, grpc.credentials.createInsecure()) as unknown as Client;
      const example = (x: number) => ({ features: { feature: { x: { float_list: { value: [x] } } } } });
      try {
        const regress = await call(client, 'Regress', { model_spec: { name: 'half_plus_two', signature_name: 'regress_x_to_y' }, input: { example_list: { examples: [example(1), example(3)] } } });
        assert.deepEqual(regress.result.regressions.map((r: { value: number }) => r.value), [2.5, 3.5]);
        const classify = await call(client, 'Classify', { model_spec: { name: 'half_plus_two', signature_name: 'classify_x_to_y' }, input: { example_list: { examples: [example(5)] } } });
        assert.deepEqual(classify.result.classifications, [{ classes: [{ label: '', score: 4.5 }] }]);
      } finally {
        client.close();
      }
    });

    it('deploys again from the platform\'s own copies when the local package and its conversion are gone', async () => {
      const local = path.join(t.dataDir, 'models', service.model_id);
      await fs.rm(local, { recursive: true, force: true });
      const again = await deployService(t.url, { name: 'half_plus_two_again', model_id: service.model_id });
      assert.equal(again.status, 'running', again.reason);
      assert.deepEqual((await api(`${t.url}/v1/models/half_plus_two_again`, 'POST', ':predict', { instances: [[2.0]] })).body, { predictions: [[3.0]] });
      await fs.access(path.join(local, 'converted', 'savedmodel.json'));
    });

    it('refuses a signature the model does not have, naming the ones it has', async () => {
      const res = await api(base, 'POST', ':predict', { signature_name: 'nope', instances: [[1.0]] });
      assert.equal(res.status, 400);
      assert.match(res.body.error, /"nope" not found.*"serving_default"/);
    });
  });

  it('takes serialized tf.Example protos on a TF2 predict signature that parses them (half_plus_two_tf2)', async () => {
    const dir = await packageOf(path.join(fixtures(), 'tf-serving', 'saved_model_half_plus_two_tf2_cpu', '00000123'), '00000123');
    const imported = await importPackage(t, dir, 'half-plus-two-tf2');
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    const s = await deployService(t.url, { name: 'half_plus_two_tf2', model_id: imported.body.id });
    assert.equal(s.status, 'running', s.reason);
    const status = await api(t.url, 'GET', '/v1/models/half_plus_two_tf2');
    assert.equal(status.body.model_version_status[0].version, '123', 'the numbered folder is the version, as TF Serving reads it');
    const serialized = (x: number) => Buffer.from(encodeTf('tensorflow.Example', { features: { feature: { x: { floatList: { value: [x] } }, x2: { floatList: { value: [0] } } } } })).toString('base64');
    const res = await api(t.url, 'POST', '/v1/models/half_plus_two_tf2:predict', { signature_name: 'regress_x_to_y', instances: [{ b64: serialized(2) }, { b64: serialized(4) }] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { predictions: [[3], [4]] });
  });

  it('batches concurrent requests to a SavedModel as to any model, with the same answers', async () => {
    const dir = await packageOf(path.join(fixtures(), 'tf-serving', 'saved_model_half_plus_two_cpu', '00000123'));
    const imported = await importPackage(t, dir, 'half-plus-two-batched');
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    const s = await deployService(t.url, { name: 'hp2_batched', model_id: imported.body.id, batching: { max_batch_size: 8, batch_timeout_micros: 20_000 } });
    assert.equal(s.status, 'running', s.reason);
    assert.ok(s.events.some((e: any) => /batching on for .*up to 8 rows/.test(e.message)), JSON.stringify(s.events));
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => api(`${t.url}/v1/models/hp2_batched`, 'POST', ':predict', { instances: [[i]] })));
    answers.forEach((res, i) => assert.deepEqual(res.body, { predictions: [[0.5 * i + 2]] }));
    // Every row went through the batch queue.
    const metrics = await fetch(`${s.access_address}metrics`).then((r) => r.text());
    const rows = /^modelarts_service_batch_size_sum(?:\{[^}]*\})? (\d+)/m.exec(metrics);
    assert.equal(Number(rows?.[1]), 16, metrics);
  });

  it('refuses a stateful SavedModel at import, naming the op, the signature and the file', async () => {
    const dir = await packageOf(path.join(fixtures(), 'tf-serving', 'saved_model_counter', '00000123'));
    const res = await importPackage(t, dir, 'counter');
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(res.body.error_msg, /obs:\/\/savedmodels\/counter-1\.0\.0\/model\/saved_model\.pb, signature "incr_counter" changes state \(op AssignAdd/);
  });
});
