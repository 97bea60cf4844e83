import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ifExists } from '../../kernel/util/drop';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { waitFor } from '../helpers/http';
import { testDigits } from '../helpers/mnist-model';
import { deployService, importMnist, predictFile, waitForServiceWhere, withHook } from '../helpers/services';

const CLIENTS = 8;

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
      const clients = Array.from({ length: CLIENTS }, client);
      // The load runs for a while before the kill, and the platform is given a moment to see the death.
      await sleep(500);
      const victim = service.instances[0];
      process.kill(victim.pid, 'SIGKILL');
      const killedAt = outcomes.length;
      await sleep(1000);
      const back = await waitForServiceWhere(t.url, service.id, 'the instance to be replaced', (s: any) => s.status === 'running' && s.instances.every((i: any) => i.state === 'ready' && i.pid !== victim.pid));
      // Load on the replaced pair for a moment before counting.
      await sleep(500);
      stop = true;
      await Promise.all(clients);
      const failed = outcomes.filter((o) => o.status !== 200);
      assert.ok(outcomes.length - killedAt > 20, 'requests went on being answered after the kill');
      // Passed connections die with their instance: the client sees the connection end, as on the service's own address.
      const acceptable = (o: { status: number; json: boolean }) => (o.status >= 500 && o.json) || (mode === 'pass' && o.status === 0);
      assert.ok(failed.every(acceptable), `failures: ${JSON.stringify(failed)}`);
      assert.ok(failed.length <= CLIENTS, `at most the in-flight requests fail (${failed.length})`);
      assert.equal(back.instances.length, 2);
      assert.ok(back.events.some((e: any) => new RegExp(`instance ${victim.id} was killed by SIGKILL`).test(e.message)));
    });

    if (mode === 'proxy') {
      it('sends a request the dying instance held to the other instance, and answers it', async () => {
        const held = path.join(await tempDir('held'), 'held.log');
        const model = await importMnist(t, 'instance-faults', 'slow-mnist', '1.0.0', withHook('mnist-slow.js'));
        const slow = await deployService(t.url, { name: 'held-request', model_id: model.id, instance_count: 2, envs: { PREDICT_DELAY_MS: '3000', PREDICT_HELD_LOG: held } });
        const pids = slow.instances.map((i: any) => i.pid as number);
        const holders = async (file: string) => ((await ifExists(fs.readFile(held, 'utf8'))) ?? '').split('\n').filter((l) => l.endsWith(` ${file}`)).map((l) => Number(l.split(' ')[0]));
        const answer = predictFile(`${t.url}/v1/infers/${slow.id}/`, testDigits([4])[0].png, { fileName: 'held.png' });
        const [victim] = await waitFor('an instance to hold the request', async () => ((await holders('held.png')).length ? holders('held.png') : undefined));
        process.kill(victim, 'SIGKILL');
        const res = await answer;
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.predicted_label, '4');
        const tried = await holders('held.png');
        assert.equal(tried.length, 2, `sent once more, to one instance: ${tried.join(', ')}`);
        assert.deepEqual([...tried].sort(), [...pids].sort(), 'the second try went to the other instance');
      });
    }
  });
}
