import assert from 'node:assert/strict';
import net from 'node:net';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { deployService, importMnist, waitForService } from '../helpers/services';
import { api } from '../helpers/http';
import { loadConfig } from '../../kernel/config';

/** Consecutive ports that are free now. */
async function freeRange(size: number): Promise<{ first: number; last: number }> {
  for (let first = 20000 + Math.floor(Math.random() * 20000); ; first += size) {
    const servers: net.Server[] = [];
    try {
      for (let p = first; p < first + size; p++) {
        const s = net.createServer();
        await new Promise<void>((resolve, reject) => s.once('error', reject).listen(p, '127.0.0.1', () => resolve()));
        servers.push(s);
      }
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
      return { first, last: first + size - 1 };
    } catch {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  }
}

describe('SERVICE_PORTS: the range services and instances take their ports from', function () {
  this.timeout(120_000);
  let t: TestPlatform;
  let range: { first: number; last: number };
  let taken: net.Server;

  before(async () => {
    // Five ports: one taken by another program, three for a service (HTTP, gRPC, one instance), one spare.
    range = await freeRange(5);
    taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(range.first + 1, '127.0.0.1', () => resolve()));
    t = await startTestPlatform({ SERVICE_PORTS: `${range.first}-${range.last}` });
  });
  after(async () => {
    await t?.close();
    taken?.close();
  });

  it('gives the service address, its gRPC port and its instance ports from the range', async () => {
    const model = await importMnist(t, 'ports', 'mnist-ports');
    const s = await deployService(t.url, { name: 'in-range', model_id: model.id });
    assert.equal(s.status, 'running', JSON.stringify(s.events));
    const inRange = (p: number) => p >= range.first && p <= range.last && p !== range.first + 1;
    assert.ok(inRange(s.port), `service port ${s.port}`);
    assert.ok(inRange(Number(s.grpc_address.split(':').pop())), s.grpc_address);
    assert.equal(s.instances.length, 1);
    for (const i of s.instances) assert.ok(inRange(Number(new URL(i.address).port)), `instance address ${i.address}`);
  });

  it('fails a deploy that finds no free port in the range, saying so and what to do', async () => {
    const model = (await api(t.url, 'GET', '/models')).body.items[0];
    // One port of the range is left; two instances need two.
    const res = await api(t.url, 'POST', '/services', { name: 'no-room', model_id: model.id, instance_count: 2 });
    const failed = res.status === 201 ? await waitForService(t.url, res.body.id, ['failed', 'running']) : res.body;
    const text = JSON.stringify(failed);
    assert.match(text, new RegExp(`no free port is left in SERVICE_PORTS=${range.first}-${range.last}`), text);
    assert.match(text, /widen the range/);
  });

  it('refuses a malformed range at start, naming the variable', () => {
    assert.throws(() => loadConfig({ SERVICE_PORTS: '40000-30000' }), /SERVICE_PORTS="40000-30000" is not valid/);
    assert.throws(() => loadConfig({ SERVICE_PORTS: 'lots' }), /SERVICE_PORTS/);
  });
});
