import assert from 'node:assert/strict';
import { waitFor } from '../helpers/http';
import { testDigits, uploadMnistCode, uploadMnistData, MNIST_BOOT } from '../helpers/mnist-model';
import { predictFile } from '../helpers/services';
import { PROJECT, startSignedPlatform, SignedPlatform, waitForV1Service, withToken } from './helpers';

const BUCKET = 'test-modelarts';

describe("the MNIST tutorial through ModelArts' own API (v2 training, v1 models and services), signed by Huawei's SDK", function () {
  this.timeout(300_000);
  let p: SignedPlatform;

  before(async () => {
    p = await startSignedPlatform();
    await uploadMnistData(p.t.store, `obs://${BUCKET}/mnist/dataset-mnist/`);
    await uploadMnistCode(p.t.store, `obs://${BUCKET}/mnist/mnist-tensorflow-code/`);
  });
  after(async () => p?.t.close());

  it('creates the job, follows its phase, previews its log, imports, deploys, predicts with a token, scores a batch, stops and deletes', async () => {
    const { sdk, t, token } = p;
    const created = await sdk.call('POST', '/v2/{project_id}/training-jobs', {
      body: {
        kind: 'job',
        metadata: { name: 'trainjob-mnist', description: 'MNIST through the v2 API' },
        algorithm: {
          code_dir: `/${BUCKET}/mnist/mnist-tensorflow-code/`,
          boot_file: `/${BUCKET}/mnist/mnist-tensorflow-code/${MNIST_BOOT}`,
          engine: { engine_name: 'TensorFlow.js' },
          parameters: [{ name: 'max_steps', value: '200' }],
          inputs: [{ name: 'data_url', remote: { obs: { obs_url: `/${BUCKET}/mnist/dataset-mnist/` } } }],
          outputs: [{ name: 'train_url', remote: { obs: { obs_url: `/${BUCKET}/mnist/mnist-model/` } } }],
        },
        spec: { resource: { flavor_id: 'modelarts.vm.cpu.8u', node_count: 1 } },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created));
    const jobId = created.body.metadata.id;
    assert.equal(created.body.metadata.name, 'trainjob-mnist');
    assert.ok(['Creating', 'Pending', 'Running'].includes(created.body.status.phase));
    assert.deepEqual(created.body.status.tasks, ['worker-0']);

    const done = await waitFor('the job to finish', async () => {
      const res = await sdk.call('GET', `/v2/{project_id}/training-jobs/${jobId}`);
      return ['Completed', 'Failed', 'Terminated', 'Abnormal'].includes(res.body.status.phase) ? res.body : undefined;
    }, 240_000, 500);
    assert.equal(done.status.phase, 'Completed', JSON.stringify(done.status));
    assert.ok(done.status.duration > 0);
    assert.equal(done.algorithm.outputs[0].remote.obs.obs_url, `/${BUCKET}/mnist/mnist-model/`, 'v2 jobs write to the output folder itself');

    const preview = await sdk.call('GET', `/v2/{project_id}/training-jobs/${jobId}/tasks/worker-0/logs/preview`);
    assert.equal(preview.status, 200);
    assert.ok(preview.body.content.length > 0 && preview.body.full_size >= preview.body.current_size);
    const link = await sdk.call('GET', `/v2/{project_id}/training-jobs/${jobId}/tasks/worker-0/logs/url`);
    const log = await fetch(link.body.obs_url);
    assert.equal(log.status, 200, 'the presigned link reads the log without credentials');
    assert.equal((await log.text()).length, preview.body.full_size);
    const metrics = await sdk.call('GET', `/v2/{project_id}/training-jobs/${jobId}/metrics/worker-0`);
    const accuracy = metrics.body.metrics.find((m: any) => m.metric === 'accuracy');
    assert.equal(accuracy.value.length, 20, 'test accuracy every 10 steps');

    // Models and services with a token from IAM, as a script that logs in calls them.
    const imported = await withToken(t.url, token, 'POST', `/v1/${PROJECT}/models`, {
      model_name: 'mnist', model_version: '1.0.0', source_location: `/${BUCKET}/mnist/mnist-model/model/`, model_type: 'TensorFlow', install_type: ['real-time'],
    });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    const model = await sdk.call('GET', `/v1/{project_id}/models/${imported.body.model_id}`);
    assert.equal(model.body.model_status, 'published');
    assert.equal(model.body.model_name, 'mnist');

    const svc = await withToken(t.url, token, 'POST', `/v1/${PROJECT}/services`, {
      service_name: 'mnist-service', infer_type: 'real-time',
      config: [{ model_id: imported.body.model_id, weight: 100, specification: 'modelarts.vm.cpu.2u', instance_count: 1 }],
    });
    assert.equal(svc.status, 200, JSON.stringify(svc.body));
    const running = await waitForV1Service(sdk, svc.body.service_id, ['running', 'failed']);
    assert.equal(running.status, 'running', running.error_msg);
    assert.ok(running.access_address.endsWith(`/v1/infers/${svc.body.service_id}`));
    assert.equal(running.config[0].status, 'running');

    let right = 0;
    for (const d of testDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])) {
      const res = await predictFile(running.access_address, d.png, { headers: { 'X-Auth-Token': token } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      if (res.body.predicted_label === String(d.label)) right++;
    }
    assert.ok(right >= 8, `${right} of 10 test digits right`);
    assert.equal((await predictFile(running.access_address, testDigits([0])[0].png)).status, 401, 'no token, no prediction');

    // The same model as a batch service over a folder of digits, as ModelArts' v1 API takes it.
    for (const d of testDigits([0, 1, 2, 3, 4])) await t.store.put({ bucket: BUCKET, key: `mnist/batch-input/${d.index}_${d.label}.png` }, d.png);
    const batch = await sdk.call('POST', '/v1/{project_id}/services', {
      body: { service_name: 'mnist-batch', infer_type: 'batch', config: [{ model_id: imported.body.model_id, specification: 'modelarts.vm.cpu.2u', instance_count: 1, src_path: `/${BUCKET}/mnist/batch-input/`, dest_path: `/${BUCKET}/mnist/batch-output/`, req_uri: '/', mapping_type: 'file' }] },
    });
    assert.equal(batch.status, 200, JSON.stringify(batch.body));
    const scored = await waitForV1Service(sdk, batch.body.service_id, ['finished', 'failed']);
    assert.equal(scored.status, 'finished', scored.error_msg);
    assert.deepEqual([scored.infer_type, scored.invocation_times, scored.failed_times, scored.progress], ['batch', 5, 0, 100]);
    assert.equal((await sdk.call('DELETE', `/v1/{project_id}/services/${batch.body.service_id}`)).status, 200);

    assert.equal((await withToken(t.url, token, 'PUT', `/v1/${PROJECT}/services/${svc.body.service_id}`, { status: 'stopped' })).status, 200);
    assert.equal((await waitForV1Service(sdk, svc.body.service_id, ['stopped'])).status, 'stopped');
    assert.equal((await sdk.call('DELETE', `/v1/{project_id}/services/${svc.body.service_id}`)).status, 200);
    const gone = await sdk.call('DELETE', `/v1/{project_id}/models/${imported.body.model_id}`);
    assert.deepEqual(gone.body, { delete_success_list: [imported.body.model_id], delete_failed_list: [] });
    assert.equal((await sdk.call('DELETE', `/v2/{project_id}/training-jobs/${jobId}`)).status, 202);
    assert.equal((await sdk.call('GET', `/v2/{project_id}/training-jobs/${jobId}`)).status, 404);
  });
});
