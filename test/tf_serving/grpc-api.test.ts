import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { testDigits } from '../helpers/mnist-model';
import { deployService, importMnist, waitForService } from '../helpers/services';
import { decodeMessage, predictionServiceDefinition, SIGNATURE_DEF_MAP } from '../../services/tf_serving/grpc-definitions';

type Client = grpc.Client & Record<string, (req: object, cb: (err: grpc.ServiceError | null, res: any) => void) => void>;

/** A client built from the same .proto files, as a TF Serving user's stub is. */
function connect(address: string): Client {
  const Ctor = grpc.makeGenericClientConstructor(predictionServiceDefinition(), 'PredictionService');
  return new Ctor(address, grpc.credentials.createInsecure()) as unknown as Client;
}

function call(client: Client, method: string, request: object): Promise<any> {
  return new Promise((resolve, reject) => client[method](request, (err, res) => (err ? reject(err) : resolve(res))));
}

const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));

describe("TF Serving's gRPC PredictionService on a running service", function () {
  this.timeout(120_000);
  let t: TestPlatform;
  let service: any;
  let client: Client;
  const [digit] = testDigits([0]);
  const pixels = Array.from(digit.pixels, (v) => v / 255);

  before(async () => {
    t = await startTestPlatform();
    const model = await importMnist(t, 'tfs-grpc', 'mnist');
    service = await deployService(t.url, { name: 'digits', model_id: model.id });
    assert.equal(service.status, 'running', service.reason);
    assert.match(service.grpc_address, /^127\.0\.0\.1:\d+$/);
    client = connect(service.grpc_address);
  });

  after(async () => {
    client?.close();
    await t?.close();
  });

  it('predicts a real digit sent as float_val, answering scores in a TensorProto', async () => {
    const res = await call(client, 'Predict', {
      model_spec: { name: 'digits', signature_name: 'serving_default' },
      inputs: { images: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }, { size: 784 }] }, float_val: pixels } },
    });
    assert.deepEqual(res.model_spec, { name: 'digits', version: { value: '1' }, signature_name: 'serving_default', version_choice: 'version' });
    const scores = res.outputs.scores;
    assert.equal(scores.dtype, 'DT_FLOAT');
    assert.deepEqual(scores.tensor_shape.dim.map((d: { size: string }) => d.size), ['1', '10']);
    assert.ok(Math.abs(scores.float_val.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-4);
    assert.equal(argmax(scores.float_val), digit.label);
  });

  it('takes tensor_content bytes as tf.make_tensor_proto writes them', async () => {
    const content = Buffer.from(Float32Array.from(pixels).buffer);
    const res = await call(client, 'Predict', {
      model_spec: { name: 'digits', version: { value: 1 } },
      inputs: { images: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }, { size: 784 }] }, tensor_content: content } },
      output_filter: ['scores'],
    });
    assert.equal(argmax(res.outputs.scores.float_val), digit.label);
  });

  it('answers GetModelMetadata with the signature_def map packed in an Any', async () => {
    const res = await call(client, 'GetModelMetadata', { model_spec: { name: 'digits' }, metadata_field: ['signature_def'] });
    const any = res.metadata.signature_def;
    assert.equal(any.type_url, `type.googleapis.com/${SIGNATURE_DEF_MAP}`);
    const map = decodeMessage<any>(SIGNATURE_DEF_MAP, any.value);
    const sig = map.signature_def.serving_default;
    assert.equal(sig.method_name, 'tensorflow/serving/predict');
    assert.equal(sig.inputs.images.dtype, 'DT_FLOAT');
    assert.deepEqual(sig.inputs.images.tensor_shape.dim.map((d: { size: string }) => d.size), ['-1', '784']);
    assert.deepEqual(sig.outputs.scores.tensor_shape.dim.map((d: { size: string }) => d.size), ['-1', '10']);
  });

  it('answers unknown models with NOT_FOUND and bad tensors with INVALID_ARGUMENT', async () => {
    const image = { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: 1 }, { size: 784 }] }, float_val: pixels };
    const cases: [object, string, number, RegExp][] = [
      [{ model_spec: { name: 'other' }, inputs: { images: image } }, 'Predict', grpc.status.NOT_FOUND, /other/],
      [{ model_spec: { name: 'digits', version: { value: 9 } }, inputs: { images: image } }, 'Predict', grpc.status.NOT_FOUND, /Specific\(digits, 9\)/],
      [{ model_spec: { name: 'digits' }, inputs: { images: { ...image, float_val: [1, 2, 3] } } }, 'Predict', grpc.status.INVALID_ARGUMENT, /3 values/],
      [{ model_spec: { name: 'digits' }, inputs: { pixels: image } }, 'Predict', grpc.status.INVALID_ARGUMENT, /images/],
      [{ model_spec: { name: 'digits' }, inputs: { images: { ...image, dtype: 'DT_STRING' } } }, 'Predict', grpc.status.INVALID_ARGUMENT, /DT_STRING/],
      [{ model_spec: { name: 'digits' } }, 'GetModelMetadata', grpc.status.INVALID_ARGUMENT, /metadata_field/],
    ];
    for (const [request, method, code, message] of cases) {
      await assert.rejects(call(client, method, request), (err: grpc.ServiceError) => {
        assert.equal(err.code, code, `${JSON.stringify(request).slice(0, 80)}: ${err.message}`);
        assert.match(err.details, message);
        return true;
      });
    }
  });

  it('keeps its gRPC address across a stop (UNAVAILABLE meanwhile, and 503 over REST) and a new deploy', async () => {
    const request = { model_spec: { name: 'digits' }, metadata_field: ['signature_def'] };
    assert.equal((await api(t.url, 'POST', `/services/${service.id}/stop`, {})).status, 200);
    await assert.rejects(call(connect(service.grpc_address), 'GetModelMetadata', request), (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE);
    for (const base of [service.access_address, `${t.url}/`]) {
      const rest = await api(base, 'GET', 'v1/models/digits');
      assert.equal(rest.status, 503);
      assert.match(rest.body.error, /stopped/);
    }
    assert.equal((await api(t.url, 'POST', `/services/${service.id}/deploy`, {})).status, 202);
    const again = await waitForService(t.url, service.id, ['running']);
    assert.equal(again.grpc_address, service.grpc_address);
    const res = await call(connect(service.grpc_address), 'GetModelMetadata', request);
    assert.equal(res.model_spec.name, 'digits');
  });
});
