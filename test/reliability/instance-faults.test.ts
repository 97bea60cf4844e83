import assert from 'node:assert/strict';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api, waitFor } from '../helpers/http';
import { testDigits } from '../helpers/mnist-model';
import { deployService, importMnist, predictFile } from '../helpers/services';

for (const mode of ['proxy', 'pass'] as const) {
  describe(`faults: an instance dies under load (GATEWAY_MODE=${mode})`, function () {
    this.timeout(120_000);
    let t: TestPlatform;
    let service: any;

    before(async () => {
      t = await startTestPlatform({ GATEWAY_MODE: mode });
      const model = await importMnist(t, 'instance-faults', 'mnist');
      service = await deployService(t.url, { name: 'two-instances', model_id: model.id, instance_count: 2 });
    });
    after(async () => t?.close());

    const promise =
      mode === 'proxy'
        ? 'keeps answering through the other instance, answers in-flight requests with JSON (sent once more), and restarts the dead one'
        : "keeps answering through the other instance, fails at most the dead instance's connections, and restarts it";
    it(promise, async () => {
      assert.equal(service.instances.length, 2);
      const gateway = `${t.url}/v1/infers/${service.id}/`;
      const png = testDigits([4])[0].png;
      const outcomes: { status: number; json: boolean }[] = [];
      let stop = false;
      const client = async () => {
        while (!stop) {
          const res = await predictFile(gateway, png).catch(() => ({ status: 0, body: undefined }));
          outcomes.push({ status: res.status, json: typeof res.body === 'object' });
        }
      };
      const clients = Array.from({ length: 8 }, client);
      await new Promise((r) => setTimeout(r, 500));
      const victim = service.instances[0];
      process.kill(victim.pid, 'SIGKILL');
      const killedAt = outcomes.length;
      await new Promise((r) => setTimeout(r, 1000));
      const back = await waitFor('the instance to be replaced', async () => {
        const s = (await api(t.url, 'GET', `/services/${service.id}`)).body;
        return s.status === 'running' && s.instances.every((i: any) => i.state === 'ready' && i.pid !== victim.pid) ? s : undefined;
      });
      await new Promise((r) => setTimeout(r, 500));
      stop = true;
      await Promise.all(clients);
      const failed = outcomes.filter((o) => o.status !== 200);
      assert.ok(outcomes.length - killedAt > 20, 'requests went on being answered after the kill');
      // Passed connections die with their instance: the client sees the connection end, as on the service's own address.
      const acceptable = (o: { status: number; json: boolean }) => (o.status >= 500 && o.json) || (mode === 'pass' && o.status === 0);
      assert.ok(failed.every(acceptable), `failures: ${JSON.stringify(failed)}`);
      assert.ok(failed.length <= 8, `at most the in-flight requests fail (${failed.length})`);
      assert.equal(back.instances.length, 2);
      assert.ok(back.events.some((e: any) => new RegExp(`instance ${victim.id} was killed by SIGKILL`).test(e.message)));
    });
  });
}
