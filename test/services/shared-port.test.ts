import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { testDigits } from '../helpers/mnist-model';
import { deployService, importMnist, predictFile, waitForService, waitForServiceWhere } from '../helpers/services';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * POSTs the digit `count` times to `url` from another process, each on a new
 * connection, while this process (the platform's) is blocked in spawnSync: only an
 * instance that accepts from the service's socket itself can answer. Returns the statuses.
 */
function predictWhilePlatformBlocked(url: string, png: Buffer, count: number): number[] {
  const script = `
    const png = Buffer.from(process.argv[1], 'base64');
    (async () => {
      const out = [];
      for (let i = 0; i < ${count}; i++) {
        const form = new FormData();
        form.append('images', new Blob([png], { type: 'image/png' }), 'digit.png');
        const res = await fetch(${JSON.stringify(url)}, { method: 'POST', body: form, headers: { connection: 'close' }, signal: AbortSignal.timeout(5000) }).catch(() => ({ status: 0 }));
        out.push(res.status);
      }
      console.log(JSON.stringify(out));
    })();`;
  const child = spawnSync(process.execPath, ['-e', script, png.toString('base64')], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(child.stdout.trim() || '[]');
}

describe("a service's port shared with its instances", function () {
  this.timeout(180_000);
  let t: TestPlatform;
  let model: any;
  const digit = testDigits([0])[0];

  before(async () => {
    t = await startTestPlatform();
    model = await importMnist(t, 'shared-port', 'mnist');
  });

  after(async () => t?.close());

  it("answers on the service address while the platform's own process is blocked: the instances accept by themselves", async () => {
    const service = await deployService(t.url, { name: 'two', model_id: model.id, instance_count: 2 });
    assert.equal(service.status, 'running', JSON.stringify(service.events));
    assert.deepEqual(predictWhilePlatformBlocked(service.access_address, digit.png, 12), Array(12).fill(200));
  });

  it('answers 503 from the platform once every instance is gone, and serves again when the instance is back', async () => {
    const service = await deployService(t.url, { name: 'one', model_id: model.id, instance_count: 1 });
    const pid = service.instances[0].pid;
    process.kill(pid, 'SIGKILL');
    await waitForService(t.url, service.id, ['concerning']);
    const during = await predictFile(service.access_address, digit.png);
    assert.ok([503, 200].includes(during.status), `${during.status} while the instance restarts`);
    await waitForServiceWhere(t.url, service.id, 'the new instance', (s: any) => s.status === 'running' && s.instances[0].pid !== pid);
    assert.deepEqual(predictWhilePlatformBlocked(service.access_address, digit.png, 3), [200, 200, 200]);
  });

  it('rolls two instances to another model version under load without one failed request, then stops to 503', async () => {
    const service = await deployService(t.url, { name: 'rolling', model_id: model.id, instance_count: 2 });
    const v2 = await importMnist(t, 'shared-port', 'mnist', '2.0.0');
    let stop = false;
    const statuses: number[] = [];
    const stream = async () => {
      while (!stop) statuses.push((await predictFile(service.access_address, digit.png).catch(() => ({ status: 0 }))).status);
    };
    const load = [stream(), stream(), stream()];
    await sleep(300);
    assert.equal((await api(t.url, 'POST', `/services/${service.id}/deploy`, { model_id: v2.id })).status, 202);
    await waitForServiceWhere(t.url, service.id, 'the redeploy', (s: any) => s.status === 'running' && s.model_version === '2.0.0');
    await sleep(500);
    stop = true;
    await Promise.all(load);
    assert.ok(statuses.length > 20, `${statuses.length} requests`);
    assert.deepEqual(statuses.filter((s) => s !== 200), []);
    await api(t.url, 'POST', `/services/${service.id}/stop`);
    const res = await predictFile(service.access_address, digit.png);
    assert.equal(res.status, 503);
    assert.match(res.body.error_msg, /stopped/);
  });
});
