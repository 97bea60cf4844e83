import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { canonicalRequest, sign } from '../../platform/auth/sdk-signature';
import { ObjectStore } from '../../kernel/storage/object-store';
import { presignGet } from '../../kernel/storage/presign';
import { predictionServiceDefinition } from '../../services/tf_serving/grpc-definitions';
import { apiDefaults, rawRequest, waitFor } from '../helpers/http';
import { createJob, uploadCode, waitForJob } from '../helpers/jobs';
import { testDigits } from '../helpers/mnist-model';
import { createNetns, useNetns, type Netns } from '../helpers/netns';
import { tempDir, type TestPlatform } from '../helpers/platform';
import { killHard, spawnPlatform, type PlatformProcess } from '../helpers/process-platform';
import { deployService, importMnist, predictFile } from '../helpers/services';

/** Every secret the platform is given; none may be written anywhere a journey leaves traces. */
const SECRETS = {
  token: 'stranger-platform-token-7f3a91',
  password: 'alice-password-9c1e55',
  apiSecret: 'api-secret-key-5b2d0c',
  storeSecret: 'store-secret-key-8e4f17',
};
const PROJECT = 'stranger-project';
const API_KEY = 'stranger-ak';
const TOKEN_TTL_SECONDS = 4;

/**
 * The platform beyond loopback (HOST=0.0.0.0, INSTANCE_HOST=0.0.0.0) in a network namespace of
 * the test's own, called from outside it through a non-loopback address, as a stranger on the
 * network would: every port — control plane, ModelArts' API, the object store, the gateway, a
 * service's HTTP and gRPC ports, an instance's own port — refuses calls without credentials;
 * tokens expire; presigned links and AK/SK signatures are bound to their object and time; and
 * no secret is written to a log, a record or an error message along the way.
 */
describe('strangers on the network: every port beyond loopback asks for credentials', function () {
  this.timeout(240_000);
  const seen: string[] = [];
  let ns: Netns;
  let platform: PlatformProcess;
  let dataDir: string;
  let base: string;
  let store: ObjectStore;
  let service: any;
  const auth = { 'X-Auth-Token': SECRETS.token };
  /** An address the platform printed (0.0.0.0 or 127.0.0.1), as reached from outside its namespace. */
  const outside = (url: string) => url.replace(/(0\.0\.0\.0|127\.0\.0\.1)/, ns.inner);

  useNetns(this);

  before(async () => {
    ns = await createNetns();
    dataDir = await tempDir('strangers');
    platform = await spawnPlatform(
      {
        HOST: '0.0.0.0',
        INSTANCE_HOST: '0.0.0.0',
        DATA_DIR: dataDir,
        AUTH_TOKEN: SECRETS.token,
        IAM_USERS: `alice:${SECRETS.password}`,
        API_ACCESS_KEY_ID: API_KEY,
        API_SECRET_ACCESS_KEY: SECRETS.apiSecret,
        OBS_ACCESS_KEY_ID: 'stranger-store-ak',
        OBS_SECRET_ACCESS_KEY: SECRETS.storeSecret,
        PROJECT_ID: PROJECT,
        TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS),
      },
      60_000,
      { prefix: ns.prefix },
    );
    base = outside(platform.url);
    store = new ObjectStore({ endpoint: outside(platform.storageEndpoint), accessKeyId: 'stranger-store-ak', secretAccessKey: SECRETS.storeSecret, region: 'us-east-1' });
    apiDefaults.headers = auth;
    const model = await importMnist({ url: base, store } as TestPlatform, 'journey', 'mnist');
    service = await deployService(base, { name: 'journey', model_id: model.id });
    assert.equal(service.status, 'running', service.reason);
    await uploadCode(store, 'obs://journey/code/', ['sleep-then-write.js']);
    const job = await createJob(base, { name: 'journey', algorithm: { engine: 'node', code_dir: 'obs://journey/code/', boot_file: 'sleep-then-write.js', parameters: [{ name: 'ms', value: '10' }] }, train_url: 'obs://journey/out/' });
    assert.equal((await waitForJob(base, job.id)).status, 'Completed');
    apiDefaults.headers = {};
  });

  after(async () => {
    apiDefaults.headers = {};
    if (platform) await killHard(platform);
    await ns?.close();
  });

  /** A call whose answer is kept, to look for secrets in it afterwards. */
  async function call(method: string, url: string, headers: Record<string, string> = {}, body?: Buffer) {
    const target = new URL(url);
    const res = await rawRequest(target.origin, method, target.pathname + target.search, { headers, body });
    seen.push(JSON.stringify(res.headers), res.text);
    return res;
  }

  it("refuses the control plane's API and ModelArts' without credentials, wrong ones, or another project's", async () => {
    const paths = ['/training-jobs', '/health', '/metrics', '/openapi.json', `/v2/${PROJECT}/training-job-engines`, `/v1/${PROJECT}/models`, '/buckets'];
    for (const p of paths) {
      assert.equal((await call('GET', base + p)).status, 401, p);
      assert.equal((await call('GET', base + p, { 'X-Auth-Token': `${SECRETS.token}x` })).status, 401, p);
      assert.equal((await call('GET', base + p, auth)).status, 200, p);
    }
    assert.equal((await call('GET', `${base}/v1/${PROJECT}/models`, { ...auth, 'X-Project-Id': 'someone-else' })).status, 403);
    const token = await call('POST', `${base}/v3/auth/tokens`, { 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'alice', password: 'guess' } } } } })));
    assert.equal(token.status, 401);
    assert.equal((await call('GET', `${base}/`)).status, 200, 'the console\'s page is public: it asks for the token itself');
  });

  it('accepts an AK/SK signature only with the right secret and within 15 minutes of its date', async () => {
    const signed = (secret: string, at: Date) => {
      const date = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
      const host = new URL(base).host;
      const headers: Record<string, string> = { host, 'x-sdk-date': date };
      const request = { method: 'GET', path: `/v1/${PROJECT}/models`, query: '', headers, body: Buffer.alloc(0) };
      const signature = sign(secret, date, canonicalRequest(request, ['host', 'x-sdk-date']));
      return { ...headers, authorization: `SDK-HMAC-SHA256 Access=${API_KEY}, SignedHeaders=host;x-sdk-date, Signature=${signature}` };
    };
    assert.equal((await call('GET', `${base}/v1/${PROJECT}/models`, signed(SECRETS.apiSecret, new Date()))).status, 200);
    assert.equal((await call('GET', `${base}/v1/${PROJECT}/models`, signed('not-the-secret', new Date()))).status, 401);
    const replayed = await call('GET', `${base}/v1/${PROJECT}/models`, signed(SECRETS.apiSecret, new Date(Date.now() - 16 * 60_000)));
    assert.equal(replayed.status, 401);
    assert.equal(JSON.parse(replayed.text).error_code, 'ModelArts.0202');
  });

  it('refuses unsigned and wrongly signed calls to the object store; a presigned link opens its object only, until it expires', async () => {
    const endpoint = outside(platform.storageEndpoint);
    assert.equal((await call('GET', `${endpoint}/journey/code/sleep-then-write.js`)).status, 403);
    assert.equal((await call('PUT', `${endpoint}/journey/planted.txt`, {}, Buffer.from('x'))).status, 403);
    assert.equal((await call('GET', `${endpoint}/`)).status, 403, 'no bucket listing for strangers');
    const wrong = new ObjectStore({ endpoint, accessKeyId: 'stranger-store-ak', secretAccessKey: 'not-the-secret', region: 'us-east-1', retryDelaysMs: [] });
    await assert.rejects(wrong.getBuffer({ bucket: 'journey', key: 'code/sleep-then-write.js' }, 1e6));
    const link = await presignGet(store, { bucket: 'journey', key: 'code/sleep-then-write.js' }, 2);
    assert.equal((await call('GET', link)).status, 200);
    assert.equal((await call('GET', link.replace('sleep-then-write.js', 'other.js'))).status, 403, 'the link opens its own object only');
    assert.equal((await call('GET', link.replace('/journey/', '/modelarts-local-system/'))).status, 403);
    await waitFor('the link to expire', async () => ((await call('GET', link)).status === 403 ? true : undefined), 10_000, 250);
  });

  it("refuses the gateway, the service's HTTP and gRPC ports and its instance's own port without credentials", async () => {
    const png = testDigits([7])[0].png;
    const gateway = `${base}/v1/infers/${service.id}/`;
    const address = outside(service.access_address);
    const own = outside(service.instances[0].address);
    for (const url of [gateway, address, own]) {
      const refused = await predictFile(url, png);
      seen.push(JSON.stringify(refused.body));
      assert.equal(refused.status, 401, url);
      assert.equal((await predictFile(url, png, { headers: { 'X-Auth-Token': 'MIIguessed.token' } })).status, 401, url);
      assert.equal((await predictFile(url, png, { headers: auth })).status, 200, url);
    }
    assert.equal((await call('GET', `${own}metrics`)).status, 401, "the instance's metrics");
    assert.equal((await call('GET', `${address}openapi.json`)).status, 401, "the service's document");
    assert.equal((await call('GET', `${address}health`)).status, 200, 'health is public, for load balancers');
    const client = grpcClient(outside(service.grpc_address));
    try {
      const metadata = new grpc.Metadata();
      await assert.rejects(grpcCall(client, new grpc.Metadata()), (err: grpc.ServiceError) => err.code === grpc.status.UNAUTHENTICATED);
      metadata.set('x-auth-token', SECRETS.token);
      assert.ok((await grpcCall(client, metadata)).metadata);
    } finally {
      client.close();
    }
  });

  it('lets an IAM token in until it expires, and no longer: on the control plane, the gateway and the service itself', async () => {
    const issued = await call('POST', `${base}/v3/auth/tokens`, { 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'alice', password: SECRETS.password } } } } })));
    assert.equal(issued.status, 201);
    const token = String(issued.headers['x-subject-token']);
    const png = testDigits([3])[0].png;
    const targets = [`${base}/v1/infers/${service.id}/`, outside(service.access_address)];
    for (const url of targets) assert.equal((await predictFile(url, png, { headers: { 'X-Auth-Token': token } })).status, 200, url);
    assert.equal((await call('GET', `${base}/training-jobs`, { 'X-Auth-Token': token })).status, 200);
    await waitFor('the token to expire', async () => ((await call('GET', `${base}/training-jobs`, { 'X-Auth-Token': token })).status === 401 ? true : undefined), (TOKEN_TTL_SECONDS + 5) * 1000, 250);
    for (const url of targets) {
      const late = await predictFile(url, png, { headers: { 'X-Auth-Token': token } });
      seen.push(JSON.stringify(late.body));
      assert.equal(late.status, 401, `${url}: an instance remembers a token no longer than it is valid`);
    }
  });

  it('writes no secret into a log, a record or an error message', async () => {
    const traces: { where: string; text: Buffer }[] = [{ where: 'the platform\'s output', text: Buffer.from(platform.output()) }, { where: 'answers to the calls above', text: Buffer.from(seen.join('\n')) }];
    for (const file of await filesUnder(dataDir)) traces.push({ where: path.relative(dataDir, file), text: await fs.readFile(file) });
    assert.ok(traces.some((t) => t.where.includes('meta')), 'the records were read');
    assert.ok(traces.some((t) => /\.log$/.test(t.where)), 'the job logs were read');
    for (const [name, secret] of Object.entries(SECRETS)) {
      const found = traces.filter((t) => t.text.includes(secret)).map((t) => t.where);
      assert.deepEqual(found, [], `the ${name} appears in ${found.join(', ')}`);
    }
  });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

type PredictionClient = grpc.Client & { GetModelMetadata(req: object, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: any) => void): void };

function grpcClient(address: string): PredictionClient {
  const Ctor = grpc.makeGenericClientConstructor(predictionServiceDefinition(), 'PredictionService');
  return new Ctor(address, grpc.credentials.createInsecure()) as unknown as PredictionClient;
}

function grpcCall(client: PredictionClient, metadata: grpc.Metadata): Promise<any> {
  return new Promise((resolve, reject) => client.GetModelMetadata({ model_spec: { name: 'journey' }, metadata_field: ['signature_def'] }, metadata, (err, res) => (err ? reject(err) : resolve(res))));
}
