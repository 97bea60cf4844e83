import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { testDigits } from '../helpers/mnist-model';
import { deployService, importMnist, predictFile, waitForService, withHook, waitForServiceWhere } from '../helpers/services';
import { processAlive } from '../helpers/jobs';
import { setTimeout as sleep } from 'node:timers/promises';

const BUCKET = 'services-test';
const MAX_BODY = 64 * 1024;
const DIGITS = testDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

describe('real-time services', function () {
  this.timeout(180_000);
  let t: TestPlatform;
  let model: any;
  let service: any;
  let gateway: string;

  before(async () => {
    t = await startTestPlatform({ MAX_PREDICT_BODY_BYTES: String(MAX_BODY), PREDICT_TIMEOUT_MS: '1500' });
    model = await importMnist(t, BUCKET, 'mnist');
    service = await deployService(t.url, { name: 'mnist-svc', model_id: model.id });
    gateway = `${t.url}/v1/infers/${service.id}/`;
  });

  after(async () => t?.close());

  it('deploys the model: running, with its access address, instances and events', () => {
    assert.equal(service.status, 'running', JSON.stringify(service.events));
    assert.match(service.access_address, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(service.instances.length, 1);
    assert.equal(service.instances[0].state, 'ready');
    assert.ok(service.events.some((e: any) => /model and hook loaded in \d+ ms/.test(e.message)));
  });

  for (const via of ['access address', 'gateway'] as const) {
    it(`answers real test digits with predicted_label and five sorted scores through the ${via}`, async () => {
      const url = via === 'gateway' ? gateway : service.access_address;
      let right = 0;
      for (const d of DIGITS) {
        const res = await predictFile(url, d.png, { fileName: `digit_${d.index}.png` });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(typeof res.body.predicted_label, 'string');
        assert.equal(res.body.scores.length, 5);
        for (const [label, score] of res.body.scores) {
          assert.equal(typeof label, 'string');
          assert.equal(typeof score, 'number');
        }
        const scores = res.body.scores.map((s: [string, number]) => s[1]);
        assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
        assert.equal(res.body.predicted_label, res.body.scores[0][0]);
        assert.match(res.headers.get('server-timing') ?? '', /preprocess;dur=.*inference;dur=.*postprocess;dur=/);
        if (res.body.predicted_label === String(d.label)) right++;
      }
      assert.ok(right >= 8, `${right} of 10 test digits right`);
    });
  }

  describe('bad input gets a JSON error and the service keeps answering', () => {
    const png = () => DIGITS[7].png;
    const cases: [string, () => Promise<{ status: number; body: any }>, number, RegExp][] = [
      ['a body that is neither multipart nor JSON (415)', () => raw('text/plain', 'hello'), 415, /Content-Type "text\/plain" is not accepted/],
      ['a multipart body without the images field (400)', () => predictFile(address(), png(), { field: 'image' }), 400, /no file in field "images".*it has "image"/],
      ['an empty multipart body (400)', () => raw('multipart/form-data; boundary=x', '--x--\r\n'), 400, /no file in field "images"/],
      ['a file that is not an image (400)', () => predictFile(address(), Buffer.from('just some text'), { fileName: 'notes.txt' }), 400, /not a PNG, JPEG or BMP image/],
      ['a truncated PNG (400)', () => predictFile(address(), png().subarray(0, 60)), 400, /PNG/],
      ['an image of the wrong size (400 from the hook)', () => predictFile(address(), pngOfSize(32, 32)), 400, /32x32 pixels; this model reads 28x28/],
      ['a body over the limit (413)', () => predictFile(address(), Buffer.alloc(MAX_BODY + 1000, 1)), 413, /larger than 65536 bytes/],
      ['a GET (405)', async () => api(address(), 'GET', ''), 405, /POST the input to \//],
    ];
    for (const [name, send, status, message] of cases) {
      it(`refuses ${name}`, async () => {
        const res = await send();
        assert.equal(res.status, status, JSON.stringify(res.body));
        assert.match(res.body.error_code, /^MR\.\d{4}$/);
        assert.match(res.body.error_msg, message);
        const after = await predictFile(address(), png());
        assert.equal(after.status, 200);
      });
    }

    it('counts requests and failures in the service record', async () => {
      const s = await waitForServiceWhere(t.url, service.id, 'counts to arrive', (r: any) => r.failure_count >= cases.length);
      assert.ok(s.request_count > s.failure_count);
      assert.ok(s.latency_ms.p50 > 0);
    });
  });

  describe('a hook that fails or hangs', () => {
    let faulty: any;
    before(async () => {
      const m = await importMnist(t, BUCKET, 'mnist-faulty', '1.0.0', withHook('mnist-with-faults.js'));
      faulty = await deployService(t.url, { name: 'faulty-svc', model_id: m.id });
    });

    it('answers 500 with the hook\'s message when it throws, and goes on serving', async () => {
      const res = await predictFile(faulty.access_address, DIGITS[0].png, { fields: { fault: 'throw' } });
      assert.equal(res.status, 500);
      assert.equal(res.body.error_code, 'MR.0106');
      assert.match(res.body.error_msg, /_preprocess failed: Error: boom: the hook failed on purpose/);
      assert.equal((await predictFile(faulty.access_address, DIGITS[0].png)).status, 200);
    });

    it('answers 504 when the hook takes longer than the limit', async () => {
      const res = await predictFile(faulty.access_address, DIGITS[0].png, { fields: { fault: 'sleep' } });
      assert.equal(res.status, 504);
      assert.match(res.body.error_msg, /did not answer within 1500 ms/);
      assert.equal((await predictFile(faulty.access_address, DIGITS[0].png)).status, 200);
    });

    it('fails a deployment whose hook cannot be loaded, with the hook\'s error in the events', async () => {
      const m = await importMnist(t, BUCKET, 'mnist-broken', '1.0.0', withHook('fails-to-load.js'));
      const s = await deployService(t.url, { name: 'broken-svc', model_id: m.id });
      assert.equal(s.status, 'failed');
      assert.match(s.reason, /Cannot find module 'this-package-is-not-installed'/);
      assert.ok(s.events.some((e: any) => e.type === 'error' && /this-package-is-not-installed/.test(e.message)));
    });
  });

  describe('lifecycle', () => {
    it('restarts an instance that was killed, and keeps the address', async () => {
      const before = (await api(t.url, 'GET', `/services/${service.id}`)).body;
      const pid = before.instances[0].pid;
      process.kill(pid, 'SIGKILL');
      await waitForService(t.url, service.id, ['concerning']);
      const back = await waitForServiceWhere(t.url, service.id, 'a new instance', (s: any) => s.status === 'running' && s.instances[0].pid !== pid);
      assert.equal(back.instances[0].restarts, 1);
      assert.equal(processAlive(pid), false);
      assert.equal(back.access_address, before.access_address);
      assert.ok(back.events.some((e: any) => /was killed by SIGKILL/.test(e.message)));
      assert.equal((await predictFile(back.access_address, DIGITS[1].png)).status, 200);
    });

    it('rolls to another model version under a stream of requests without one failure', async () => {
      const v2 = await importMnist(t, BUCKET, 'mnist', '2.0.0');
      let stop = false;
      const outcomes: number[] = [];
      const errors: string[] = [];
      const stream = async (url: string) => {
        while (!stop) {
          const res = await predictFile(url, DIGITS[2].png).catch((err) => ({ status: 0, body: `${url}: ${err.cause?.message ?? err.message}` }));
          outcomes.push(res.status);
          if (res.status !== 200) errors.push(JSON.stringify(res.body));
        }
      };
      const load = [stream(gateway), stream(gateway), stream(service.access_address), stream(service.access_address)];
      await sleep(300);
      const res = await api(t.url, 'POST', `/services/${service.id}/deploy`, { model_id: v2.id });
      assert.equal(res.status, 202);
      assert.equal(res.body.status, 'deploying');
      const done = await waitForServiceWhere(t.url, service.id, 'the redeploy', (s: any) => s.status === 'running' && s.model_version === '2.0.0');
      await sleep(500);
      stop = true;
      await Promise.all(load);
      assert.equal(done.model_id, v2.id);
      assert.ok(outcomes.length > 20, `${outcomes.length} requests sent`);
      assert.deepEqual(errors, [], `${outcomes.length} requests`);
    });

    it('refuses to delete a model while a service uses it', async () => {
      const current = (await api(t.url, 'GET', `/services/${service.id}`)).body;
      const res = await api(t.url, 'DELETE', `/models/${current.model_id}`);
      assert.equal(res.status, 409);
      assert.match(res.body.error_msg, /used by service mnist-svc/);
    });

    it('answers CORS preflights from localhost pages', async () => {
      const res = await fetch(service.access_address, {
        method: 'OPTIONS',
        headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:5173');
      const other = await fetch(service.access_address, { method: 'OPTIONS', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
      assert.equal(other.headers.get('access-control-allow-origin'), null);
    });

    it('refuses requests with 503 once stopped, serves again after a deploy, and deletes', async () => {
      const stopped = await api(t.url, 'POST', `/services/${service.id}/stop`);
      assert.equal(stopped.status, 200);
      assert.equal(stopped.body.status, 'stopped');
      for (const url of [service.access_address, gateway]) {
        const res = await predictFile(url, DIGITS[3].png);
        assert.equal(res.status, 503, url);
        assert.match(res.body.error_msg, /stopped|has no instance ready/);
      }
      assert.equal((await api(t.url, 'POST', `/services/${service.id}/stop`)).status, 409);
      await api(t.url, 'POST', `/services/${service.id}/deploy`);
      await waitForService(t.url, service.id, ['running']);
      assert.equal((await predictFile(service.access_address, DIGITS[3].png)).status, 200);
      assert.equal((await api(t.url, 'DELETE', `/services/${service.id}`)).status, 204);
      assert.equal((await api(t.url, 'GET', `/services/${service.id}`)).status, 404);
      assert.equal((await predictFile(gateway, DIGITS[3].png)).status, 404);
    });
  });

  function address(): string {
    return service.access_address;
  }

  async function raw(type: string, body: string): Promise<{ status: number; body: any }> {
    const res = await fetch(address(), { method: 'POST', headers: { 'content-type': type }, body });
    return { status: res.status, body: await res.json() };
  }
});

function pngOfSize(width: number, height: number): Buffer {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8 });
  png.data = Buffer.alloc(width * height, 128);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0 });
}
