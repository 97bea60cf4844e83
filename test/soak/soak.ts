/**
 * `npm run test:soak`: predictions at concurrency 32 for SOAK_SECONDS (default 600)
 * against a 2-instance MNIST service — half on its own address, half through the
 * gateway — with a redeploy to another model version half-way and one instance
 * killed near the end. Prints requests, errors, p99 and the instances' memory, and
 * exits non-zero when more requests failed than were in flight at the kill.
 */
import fs from 'node:fs';
import autocannon from 'autocannon';
import { startTestPlatform } from '../helpers/platform';
import { api, waitFor } from '../helpers/http';
import { testDigits } from '../helpers/mnist-model';
import { deployService, importMnist } from '../helpers/services';
import { setTimeout as sleep } from 'node:timers/promises';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const CONNECTIONS = 32;
const MEMORY_EVERY_MS = 30_000;

function multipart(png: Buffer): { body: Buffer; type: string } {
  const boundary = 'soak-boundary-7d1f';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="images"; filename="digit.png"\r\nContent-Type: image/png\r\n\r\n`;
  return { body: Buffer.concat([Buffer.from(head), png, Buffer.from(`\r\n--${boundary}--\r\n`)]), type: `multipart/form-data; boundary=${boundary}` };
}

function rssMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

async function instancesMemory(base: string, id: string): Promise<string> {
  const s = (await api(base, 'GET', `/services/${id}`)).body;
  return s.instances.map((i: any) => `${i.id} ${rssMb(i.pid) ?? '?'} MB`).join(', ');
}

function load(url: string, body: Buffer, type: string): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, method: 'POST', body, headers: { 'content-type': type }, connections: CONNECTIONS / 2, duration: SECONDS }, (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
}

async function main(): Promise<void> {
  const t = await startTestPlatform();
  const v1 = await importMnist(t, 'soak', 'mnist', '1.0.0');
  const v2 = await importMnist(t, 'soak', 'mnist', '2.0.0');
  const service = await deployService(t.url, { name: 'soak', model_id: v1.id, instance_count: 2 });
  const { body, type } = multipart(testDigits([0])[0].png);
  console.log(`soak: ${SECONDS} s at concurrency ${CONNECTIONS} (${CONNECTIONS / 2} on ${service.access_address}, ${CONNECTIONS / 2} through the gateway)`);
  console.log(`memory at start: ${await instancesMemory(t.url, service.id)}`);
  const memory = setInterval(async () => console.log(`memory: ${await instancesMemory(t.url, service.id)}`), MEMORY_EVERY_MS);
  const runs = Promise.all([load(service.access_address, body, type), load(`${t.url}/v1/infers/${service.id}/`, body, type)]);

  await sleep((SECONDS * 1000) / 2);
  console.log('redeploying to mnist 2.0.0 under load');
  await api(t.url, 'POST', `/services/${service.id}/deploy`, { model_id: v2.id });
  await waitFor('the redeploy', async () => ((await api(t.url, 'GET', `/services/${service.id}`)).body.model_id === v2.id ? true : undefined), 60_000);

  await sleep(SECONDS * 1000 * 0.4);
  const victim = (await api(t.url, 'GET', `/services/${service.id}`)).body.instances[0];
  console.log(`killing instance ${victim.id} (pid ${victim.pid})`);
  process.kill(victim.pid, 'SIGKILL');

  const [direct, gateway] = await runs;
  clearInterval(memory);
  console.log(`memory at end: ${await instancesMemory(t.url, service.id)}`);
  let failed = 0;
  for (const [name, r] of [['own address', direct], ['gateway', gateway]] as const) {
    const errors = r.errors + r.non2xx;
    failed += errors;
    console.log(`${name}: ${r.requests.total} requests, ${r.requests.average} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, errors ${r.errors}, non-2xx ${r.non2xx}, timeouts ${r.timeouts}`);
  }
  const record = (await api(t.url, 'GET', `/services/${service.id}`)).body;
  console.log(`service: ${record.status}, ${record.request_count} requests counted, ${record.failure_count} failures`);
  await t.close();
  // Only requests in flight on the killed instance's own connections may fail.
  process.exit(failed > CONNECTIONS / 2 ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
