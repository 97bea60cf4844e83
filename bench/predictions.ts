/**
 * Prediction figures: the MNIST service through its access address and through the
 * gateway against the baseline server, each at concurrency 1 and 32, phases of the
 * three interleaved so that a change in the machine's load hits all of them alike;
 * then the same load on two instances, and the time a deploy takes.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import { distPath } from '../platform/paths';
import { forkWithHandshake, terminate } from '../platform/process/supervise';
import { startTestPlatform, type TestPlatform } from '../test/helpers/platform';
import { api, waitFor } from '../test/helpers/http';
import { testDigits, trainedMnistPackage } from '../test/helpers/mnist-model';
import { deployService, importMnist, waitForService } from '../test/helpers/services';
import type { BaselineReady } from './baseline-server';
import { loadPhase, multipart, round, type LoadFigures, type Upload } from './load';

export const CONCURRENCIES = [1, 32] as const;
const DEPLOY_ROUNDS = 3;
const POLL_MS = 5;

export interface Side {
  c1: LoadFigures;
  c32: LoadFigures;
}

export interface PredictionFigures {
  backend: string;
  baseline: Side;
  instance: Side;
  gateway: Side;
  two_instances_c32: LoadFigures;
  deploy: { to_running_ms: number[]; to_first_prediction_ms: number[] };
}

/** The digit every request uploads: test image 0 (a 7), as `npm run digits` writes it. */
export function digitUpload(): Upload {
  return multipart('images', 'digit.png', 'image/png', testDigits([0])[0].png);
}

export async function benchPredictions(seconds: number, say: (line: string) => void): Promise<PredictionFigures> {
  const pkg = await trainedMnistPackage();
  const baseline = await startBaseline(path.join(pkg, 'model'));
  const t = await startTestPlatform();
  try {
    const model = await importMnist(t, 'bench', 'mnist');
    const service = await deployService(t.url, { name: 'mnist-bench', model_id: model.id, instance_count: 1 });
    if (service.status !== 'running') throw new Error(`the service did not deploy: ${JSON.stringify(service.events)}`);
    const urls = { baseline: baseline.url, instance: service.access_address as string, gateway: `${t.url}/v1/infers/${service.id}/` };
    const upload = digitUpload();
    const sides: Record<keyof typeof urls, Partial<Side>> = { baseline: {}, instance: {}, gateway: {} };
    for (const c of CONCURRENCIES) {
      for (const side of ['baseline', 'instance', 'gateway'] as const) {
        say(`load: ${side}, concurrency ${c}, ${seconds} s`);
        sides[side][`c${c}`] = await loadPhase(urls[side], upload, c, seconds);
      }
    }
    say('load: two instances, concurrency 32');
    await redeploy(t, service.id, { instance_count: 2 });
    const two = await loadPhase(urls.instance, upload, 32, seconds);
    await redeploy(t, service.id, { instance_count: 1 });
    say('deploy: stop, then time deploy → running and → first answered prediction');
    const deploy = await deployTimes(t, service.id, urls.instance, upload);
    return { backend: baseline.backend, baseline: sides.baseline as Side, instance: sides.instance as Side, gateway: sides.gateway as Side, two_instances_c32: two, deploy };
  } finally {
    await t.close();
    await terminate(baseline.child, 2000);
  }
}

async function startBaseline(modelDir: string): Promise<{ child: ChildProcess; url: string; backend: string }> {
  const { child, info } = await forkWithHandshake<BaselineReady>(distPath('bench/baseline-server.js'), {
    label: 'baseline server',
    startTimeoutMs: 60_000,
    env: { ...process.env, MA_BASELINE_MODEL: modelDir },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return { child, url: `http://127.0.0.1:${info.port}/`, backend: info.backend };
}

async function redeploy(t: TestPlatform, id: string, body: Record<string, unknown>): Promise<void> {
  const res = await api(t.url, 'POST', `/services/${id}/deploy`, body);
  if (res.status >= 300) throw new Error(`deploy refused: ${res.status} ${JSON.stringify(res.body)}`);
  await waitFor(`service ${id} on its new instances`, async () => {
    const s = (await api(t.url, 'GET', `/services/${id}`)).body;
    return s.status === 'running' && s.instances.length === (body.instance_count ?? s.instances.length) && s.instances.every((i: { state: string }) => i.state === 'ready') ? s : undefined;
  });
}

/** Each round: stop the service, then time a deploy to `running` and to a 200 from its address. */
async function deployTimes(t: TestPlatform, id: string, url: string, upload: Upload): Promise<PredictionFigures['deploy']> {
  const out: PredictionFigures['deploy'] = { to_running_ms: [], to_first_prediction_ms: [] };
  for (let round_ = 0; round_ < DEPLOY_ROUNDS; round_++) {
    await api(t.url, 'POST', `/services/${id}/stop`);
    await waitForService(t.url, id, ['stopped']);
    const start = performance.now();
    const res = await api(t.url, 'POST', `/services/${id}/deploy`, {});
    if (res.status >= 300) throw new Error(`deploy refused: ${res.status} ${JSON.stringify(res.body)}`);
    const [running, answered] = await Promise.all([
      pollUntil(async () => (await api(t.url, 'GET', `/services/${id}`)).body.status === 'running'),
      pollUntil(async () => (await fetch(url, { method: 'POST', body: upload.body, headers: { 'content-type': upload.contentType } })).status === 200),
    ]);
    out.to_running_ms.push(round(running - start, 0));
    out.to_first_prediction_ms.push(round(answered - start, 0));
  }
  return out;
}

/** performance.now() when `check` first holds; connection errors count as not yet. */
async function pollUntil(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<number> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await check().catch(() => false)) return performance.now();
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error('timed out');
}
