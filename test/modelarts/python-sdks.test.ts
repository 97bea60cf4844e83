import assert from 'node:assert/strict';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { uploadCode } from '../helpers/jobs';
import { waitFor } from '../helpers/http';
import { PythonSession } from '../helpers/python-session';
import { useTestVenv } from '../helpers/test-venv';

const BUCKET = 'sdk-python';
const PROJECT = 'modelarts-local';

/**
 * Huawei Cloud's Python SDKs, unchanged, against the platform: huaweicloudsdkmodelarts with
 * huaweicloudsdkcore's AK/SK signer (ModelArts' training API v2) and esdk-obs-python's
 * ObsClient (the object store). They live in the tests' virtual environment (PyPI); the
 * platform itself never needs them.
 */
describe("Huawei Cloud's Python SDKs against the platform", function () {
  this.timeout(120_000);
  const venv = useTestVenv(this);
  let t: TestPlatform;
  let py: PythonSession;

  before(async () => {
    t = await startTestPlatform({ API_ACCESS_KEY_ID: 'sdk-ak', API_SECRET_ACCESS_KEY: 'sdk-secret-key-of-the-api' });
    await uploadCode(t.store, `obs://${BUCKET}/code/`, ['sleeper.py']);
    const store = new URL(t.platform.context.storageEndpoint);
    py = PythonSession.start(venv().python, {
      PATH: process.env.PATH,
      ENDPOINT: t.url,
      OBS_SERVER: `http://${store.host}`,
      OBS_AK: t.config.obs.accessKeyId,
      OBS_SK: t.config.obs.secretAccessKey,
    });
    await py.run(`import json, os, urllib.request
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkmodelarts.v1 import *
credentials = BasicCredentials('sdk-ak', 'sdk-secret-key-of-the-api', '${PROJECT}')
client = ModelArtsClient.new_builder().with_credentials(credentials).with_endpoint(os.environ['ENDPOINT']).build()`);
  });

  after(async () => {
    await py?.close();
    await t?.close();
  });

  describe('huaweicloudsdkmodelarts (training jobs v2)', () => {
    let jobId: string;

    it('lists the engines and the flavors', async () => {
      const [engines, flavors] = await py.run(`engines = client.show_training_job_engines(ShowTrainingJobEnginesRequest())
flavors = client.show_training_job_flavors(ShowTrainingJobFlavorsRequest(flavor_type='CPU'))
result = [[e.engine_name for e in engines.items], [f.flavor_id for f in flavors.flavors]]`);
      assert.ok(engines.includes('Python'), engines.join(', '));
      assert.deepEqual(flavors, ['modelarts.vm.cpu.2u', 'modelarts.vm.cpu.8u']);
    });

    it('creates a job with a PyTorch engine, shows it, finds it by a search, reads its log and stops it', async () => {
      jobId = await py.run(`job = Job(kind='job', metadata=JobMetadata(name='sdk-sleeper', description='made by the SDK'),
  algorithm=JobAlgorithm(code_dir='/${BUCKET}/code/', boot_file='/${BUCKET}/code/sleeper.py',
    engine=JobEngine(engine_name='PyTorch', engine_version='pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64'),
    parameters=[Parameters(name='epochs', value='3')],
    outputs=[Output(name='train_url', remote=Remote(obs=RemoteObs(obs_url='/${BUCKET}/out/')))]),
  spec=Spec(resource=SpecResource(flavor_id='modelarts.vm.cpu.2u', node_count=1)))
created = client.create_training_job(CreateTrainingJobRequest(body=job))
result = created.metadata.id`);
      assert.match(jobId, /^[0-9a-f-]{36}$/);
      const shown = await py.run(`shown = client.show_training_job_details(ShowTrainingJobDetailsRequest(training_job_id='${jobId}'))
result = [shown.metadata.name, shown.metadata.description, shown.algorithm.boot_file, shown.spec.resource.flavor_id, shown.status.tasks]`);
      assert.deepEqual(shown, ['sdk-sleeper', 'made by the SDK', `/${BUCKET}/code/sleeper.py`, 'modelarts.vm.cpu.2u', ['worker-0']]);
      const found = await py.run(`listed = client.list_training_jobs(ListTrainingJobsRequest(body=JobSearches(limit=10, filters=[Filter(key='name', operator='like', value=['sleeper'])])))
result = [listed.total, [i.metadata.id for i in listed.items]]`);
      assert.deepEqual(found, [1, [jobId]]);
      const preview = await waitFor('the boot file to start', async () => {
        const text = await py.run<string>(`result = client.show_training_job_logs_preview(ShowTrainingJobLogsPreviewRequest(training_job_id='${jobId}', task_id='worker-0')).content`);
        return /sleeper started/.test(text) ? text : undefined;
      });
      assert.match(preview, /sleeper started/);
      await py.run(`client.stop_training_job(StopTrainingJobRequest(training_job_id='${jobId}', body=JobActionType(action_type='terminate')))`);
      const phase = await waitFor('the job to be Terminated', async () => {
        const p = await py.run<string>(`result = client.show_training_job_details(ShowTrainingJobDetailsRequest(training_job_id='${jobId}')).status.phase`);
        return p === 'Terminated' ? p : undefined;
      });
      assert.equal(phase, 'Terminated');
    });

    it('gets the documented error for an unknown job, signed or not', async () => {
      const unknown = await py.run(`try:
    client.show_training_job_details(ShowTrainingJobDetailsRequest(training_job_id='no-such-job'))
    result = None
except exceptions.ClientRequestException as e:
    result = [e.status_code, e.error_code]`);
      assert.deepEqual(unknown, [404, 'ModelArts.0301']);
      const wrong = await py.run(`bad = ModelArtsClient.new_builder().with_credentials(BasicCredentials('sdk-ak', 'not-the-secret', '${PROJECT}')).with_endpoint(os.environ['ENDPOINT']).build()
try:
    bad.show_training_job_engines(ShowTrainingJobEnginesRequest())
    result = None
except exceptions.ClientRequestException as e:
    result = [e.status_code, e.error_code]`);
      assert.deepEqual(wrong, [401, 'ModelArts.0203']);
    });
  });

  describe('esdk-obs-python (ObsClient)', () => {
    before(async () => {
      await py.run(`from obs import ObsClient, PutObjectHeader, CompletePart, CompleteMultipartUploadRequest
obs = ObsClient(access_key_id=os.environ['OBS_AK'], secret_access_key=os.environ['OBS_SK'], server=os.environ['OBS_SERVER'])`);
    });

    it('creates a bucket, puts and gets an object, and lists it', async () => {
      const r = await py.run(`created = obs.createBucket('sdk-obs-python')
put = obs.putContent('sdk-obs-python', 'data/hello.txt', 'hello from esdk-obs-python')
got = obs.getObject('sdk-obs-python', 'data/hello.txt', loadStreamInMemory=True)
listed = obs.listObjects('sdk-obs-python', prefix='data/')
result = [created.status, put.status, got.status, got.body.buffer.decode(), [c.key for c in listed.body.contents]]`);
      assert.deepEqual(r, [200, 200, 200, 'hello from esdk-obs-python', ['data/hello.txt']]);
    });

    it('uploads in parts (multipart) and reads the whole object back', async () => {
      const r = await py.run(`part = b'x' * (5 * 1024 * 1024)
init = obs.initiateMultipartUpload('sdk-obs-python', 'data/big.bin')
upload_id = init.body.uploadId
etags = []
for n, chunk in enumerate([part, b'tail'], start=1):
    up = obs.uploadPart('sdk-obs-python', 'data/big.bin', n, upload_id, chunk)
    etags.append(CompletePart(partNum=n, etag=up.body.etag))
done = obs.completeMultipartUpload('sdk-obs-python', 'data/big.bin', upload_id, CompleteMultipartUploadRequest(etags))
meta = obs.getObjectMetadata('sdk-obs-python', 'data/big.bin')
result = [init.status, done.status, meta.body.contentLength]`);
      assert.deepEqual(r, [200, 200, 5 * 1024 * 1024 + 4]);
    });

    it('makes a presigned URL that any HTTP client can fetch', async () => {
      const text = await py.run(`signed = obs.createSignedUrl('GET', 'sdk-obs-python', 'data/hello.txt', expires=300)
result = urllib.request.urlopen(signed.signedUrl).read().decode()`);
      assert.equal(text, 'hello from esdk-obs-python');
    });
  });
});
