import assert from 'node:assert/strict';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { importMnist, waitForService } from '../helpers/services';

const BUCKET = 'deploy-requests';

/** Deploys that brought instances up, as the service's events tell them. */
function deploymentsOf(service: any): number {
  return service.events.filter((e: { message: string }) => /^running model .* deployed in \d+ ms$/.test(e.message)).length;
}

describe('POST /services/<id>/deploy asks for a model to be served, not for another deploy', function () {
  this.timeout(180_000);
  let t: TestPlatform;
  let v1: any;
  let v2: any;

  before(async () => {
    t = await startTestPlatform();
    v1 = await importMnist(t, BUCKET, 'digits');
    v2 = await importMnist(t, BUCKET, 'digits', '2.0.0');
  });

  after(async () => t?.close());

  async function create(name: string): Promise<any> {
    const res = await api(t.url, 'POST', '/services', { name, model_id: v1.id });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, 'deploying');
    return res.body;
  }

  it('answers a deploy sent right after create with 202 and the deploy under way, and deploys once', async () => {
    const created = await create('deploy-at-once');
    const again = await api(t.url, 'POST', `/services/${created.id}/deploy`, {});
    assert.equal(again.status, 202, JSON.stringify(again.body));
    assert.equal(again.body.status, 'deploying');
    const named = await api(t.url, 'POST', `/services/${created.id}/deploy`, { model_id: v1.id });
    assert.equal(named.status, 202, JSON.stringify(named.body));
    const running = await waitForService(t.url, created.id, ['running', 'failed']);
    assert.equal(running.status, 'running', running.reason);
    assert.equal(deploymentsOf(running), 1, JSON.stringify(running.events));
    assert.equal(running.instances.length, 1);

    const idle = await api(t.url, 'POST', `/services/${created.id}/deploy`, { model_id: v1.id, instance_count: 1 });
    assert.equal(idle.status, 200, JSON.stringify(idle.body));
    assert.equal(idle.body.status, 'running');
    assert.equal(idle.body.instances[0].pid, running.instances[0].pid, 'the running instance was left alone');
    assert.equal(deploymentsOf((await api(t.url, 'GET', `/services/${created.id}`)).body), 1);
  });

  it('refuses only to roll to another model while a deploy is under way, naming the model it deploys', async () => {
    const created = await create('roll-later');
    const early = await api(t.url, 'POST', `/services/${created.id}/deploy`, { model_id: v2.id });
    assert.equal(early.status, 409);
    assert.equal(early.body.error_code, 'ModelArts.0402');
    assert.match(early.body.error_msg, /service roll-later is deploying model digits 1\.0\.0; wait until it is done before rolling to digits 2\.0\.0/);
    assert.equal((await waitForService(t.url, created.id, ['running', 'failed'])).model_version, '1.0.0');

    const roll = await api(t.url, 'POST', `/services/${created.id}/deploy`, { model_id: v2.id });
    assert.equal(roll.status, 202, JSON.stringify(roll.body));
    // While it rolls, a deploy that names no model means the one being deployed.
    const same = await api(t.url, 'POST', `/services/${created.id}/deploy`, {});
    assert.equal(same.status, 202, JSON.stringify(same.body));
    const back = await api(t.url, 'POST', `/services/${created.id}/deploy`, { model_id: v1.id });
    assert.equal(back.status, 409);
    assert.match(back.body.error_msg, /is deploying model digits 2\.0\.0/);
    const rolled = await waitForService(t.url, created.id, ['running', 'failed']);
    assert.equal(rolled.model_version, '2.0.0', rolled.reason);
    assert.equal(deploymentsOf(rolled), 2, JSON.stringify(rolled.events));
  });

  it('takes new settings sent during a deploy of the same model', async () => {
    const created = await create('more-instances');
    const wider = await api(t.url, 'POST', `/services/${created.id}/deploy`, { instance_count: 2 });
    assert.equal(wider.status, 202, JSON.stringify(wider.body));
    assert.equal(wider.body.instance_count, 2);
    const running = await waitForService(t.url, created.id, ['running', 'failed']);
    assert.equal(running.status, 'running', running.reason);
    assert.equal(running.instances.length, 2);
  });
});
