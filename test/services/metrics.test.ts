import assert from 'node:assert/strict';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { testDigits } from '../helpers/mnist-model';
import { deployService, importMnist, predictFile, waitForService, waitForServiceWhere } from '../helpers/services';
import { createJob, uploadCode, waitForJob } from '../helpers/jobs';
import { parseMetrics, sampleValue, type Family } from '../helpers/prometheus';

const BUCKET = 'metrics-test';

describe('Prometheus metrics on the control plane and on each service address', function () {
  this.timeout(180_000);
  let t: TestPlatform;
  let service: any;
  const digit = testDigits([0])[0];

  before(async () => {
    t = await startTestPlatform();
    const model = await importMnist(t, BUCKET, 'mnist');
    service = await deployService(t.url, { name: 'metered', model_id: model.id, instance_count: 2 });
    assert.equal(service.status, 'running', JSON.stringify(service.events));
  });

  after(async () => t?.close());

  const scrape = async (url: string): Promise<Family[]> => {
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parseMetrics(await res.text());
  };
  const requests = (f: Family[], code: string) => sampleValue(f, 'modelarts_service_requests_total', 'value', { service: 'metered', api: 'predict', code }) ?? 0;

  it('counts every prediction of the service, whichever of its two instances answered, with its status code and stages', async () => {
    const before = await scrape(`${service.access_address}metrics`);
    for (let i = 0; i < 6; i++) assert.equal((await predictFile(service.access_address, digit.png)).status, 200);
    assert.equal((await predictFile(service.access_address, Buffer.from('no image'))).status, 400);
    const after = await scrape(`${service.access_address}metrics`);
    assert.equal(requests(after, '200') - requests(before, '200'), 6);
    assert.equal(requests(after, '400') - requests(before, '400'), 1);
    for (const stage of ['preprocess', 'inference', 'postprocess']) {
      const count = (f: Family[]) => sampleValue(f, 'modelarts_service_stage_duration_seconds', 'count', { service: 'metered', stage }) ?? 0;
      assert.equal(count(after) - count(before), 6, stage);
    }
    const duration = after.find((f) => f.name === 'modelarts_service_request_duration_seconds');
    assert.equal(duration?.type, 'histogram');
    assert.ok(duration!.series.every((s) => s.labels.service === 'metered' && s.labels.model === 'mnist'));
  });

  it('shows the same service series on the control plane, through the gateway, and its own families beside them', async () => {
    const control = await scrape(`${t.url}/metrics`);
    const viaGateway = await scrape(`${t.url}/v1/infers/${service.id}/metrics`);
    assert.equal(requests(control, '200'), requests(viaGateway, '200'));
    assert.equal(sampleValue(control, 'modelarts_services', 'value', { status: 'running' }), 1);
    for (const name of ['modelarts_training_jobs', 'modelarts_object_store_errors_total', 'modelarts_service_instance_restarts_total', 'process_cpu_user_seconds_total']) {
      assert.ok(control.some((f) => f.name === name), `${name} on the control plane`);
    }
  });

  it('counts instance restarts, failed object-store calls and finished training jobs by phase', async () => {
    const before = await scrape(`${t.url}/metrics`);
    const pid = service.instances[0].pid;
    process.kill(pid, 'SIGKILL');
    await waitForServiceWhere(t.url, service.id, 'the restart', (s: any) => s.status === 'running' && !s.instances.some((i: any) => i.pid === pid));
    assert.equal((await api(t.url, 'GET', `/buckets/${BUCKET}/objects/no/such/object`)).status, 404);
    await uploadCode(t.store, `obs://${BUCKET}/code/`, ['exit-3.js']);
    const job = await createJob(t.url, { name: 'fails', algorithm: { engine: 'node', code_dir: `obs://${BUCKET}/code/`, boot_file: 'exit-3.js' }, data_url: `obs://${BUCKET}/code/`, train_url: `obs://${BUCKET}/out/` });
    await waitForJob(t.url, job.id);
    const after = await scrape(`${t.url}/metrics`);
    const restarts = (f: Family[]) => sampleValue(f, 'modelarts_service_instance_restarts_total', 'value', { service: 'metered' }) ?? 0;
    assert.equal(restarts(after) - restarts(before), 1);
    const errors = (f: Family[]) => sampleValue(f, 'modelarts_object_store_errors_total', 'value', { reason: 'not_found' }) ?? 0;
    assert.ok(errors(after) > errors(before), 'a failed store call is counted');
    assert.equal(sampleValue(after, 'modelarts_training_jobs', 'value', { phase: 'Failed' }), 1);
    assert.equal(sampleValue(after, 'modelarts_training_job_duration_seconds', 'count', { engine: 'node', phase: 'Failed' }), 1);
    const own = await scrape(`${service.access_address}metrics`);
    assert.equal(restarts(own), restarts(after), 'the service address shows its restarts too');
  });

  it('keeps answering /metrics on a stopped service with 503, as every other path', async () => {
    await api(t.url, 'POST', `/services/${service.id}/stop`);
    await waitForService(t.url, service.id, ['stopped']);
    assert.equal((await fetch(`${service.access_address}metrics`)).status, 503);
  });
});
