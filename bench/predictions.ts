/**
 * Prediction figures: the MNIST service through its access address and through the
 * gateway against the baseline server, each at concurrency 1 and 32, and a second
 * service of the same model on two instances at concurrency 32. The phases run in
 * rounds, interleaved, so that a change in the machine's load hits all sides alike;
 * each side's figure is its best round (the one least disturbed by other work).
 * Then the time a deploy takes.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChildProcess } from 'node:child_process';
import { distPath } from '../kernel/paths';
import { forkWithHandshake, terminate } from '../kernel/process/supervise';
import { startTestPlatform, type TestPlatform } from '../test/helpers/platform';
import { api } from '../test/helpers/http';
import { testDigits, trainedMnistPackage } from '../test/helpers/mnist-model';
import { deployService, importMnist, waitForService } from '../test/helpers/services';
import type { BaselineReady } from './baseline-server';
import { loadFromAnotherProcess, loadPhase, multipart, round, type LoadFigures, type Upload } from './load';

export const CONCURRENCIES = [1, 32] as const;
const LOAD_ROUNDS = 2;
const DEPLOY_ROUNDS = 3;
const POLL_MS = 5;

export interface Side {
  c1: LoadFigures;
  c32: LoadFigures;
}

export interface PredictionFigures {
  backend: string;
  rounds: number;
  /** Best round of each side. */
  baseline: Side;
  instance: Side;
  gateway: Side;
  two_instances_c32: LoadFigures;
  /** Every round of every phase, in the order run. */
  runs: (LoadFigures & { side: string })[];
  deploy: { to_running_ms: number[]; to_first_prediction_ms: number[] };
}

type Phase = { side: 'baseline' | 'instance' | 'gateway' | 'two'; c: 1 | 32 };
const PHASES: Phase[] = [
  ...CONCURRENCIES.flatMap((c) => (['baseline', 'instance', 'gateway'] as const).map((side) => ({ side, c }))),
  { side: 'two', c: 32 },
];

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
    const two = await deployService(t.url, { name: 'mnist-bench-two', model_id: model.id, instance_count: 2 });
    if (two.status !== 'running') throw new Error(`the two-instance service did not deploy: ${JSON.stringify(two.events)}`);
    const urls = { baseline: baseline.url, instance: service.access_address as string, gateway: `${t.url}/v1/infers/${service.id}/`, two: two.access_address as string };
    // The platform (this process) hands connections over or proxies them; it counts unless autocannon runs in it too.
    const platformPid = loadFromAnotherProcess() ? [process.pid] : [];
    const instancePids = (s: { instances: { pid: number }[] }) => [...s.instances.map((i) => i.pid), ...platformPid];
    const pids = { baseline: [baseline.child.pid!], instance: instancePids(service), gateway: instancePids(service), two: instancePids(two) };
    const upload = digitUpload();
    const runs: PredictionFigures['runs'] = [];
    for (let r = 1; r <= LOAD_ROUNDS; r++) {
      for (const { side, c } of PHASES) {
        say(`load round ${r} of ${LOAD_ROUNDS}: ${side === 'two' ? 'two instances' : side}, concurrency ${c}, ${seconds} s`);
        runs.push({ side, ...(await loadPhase(urls[side], upload, c, seconds, pids[side])) });
      }
    }
    await api(t.url, 'DELETE', `/services/${two.id}`);
    const best = (side: Phase['side'], c: number) => runs.filter((f) => f.side === side && f.connections === c).sort((a, b) => b.rps - a.rps)[0];
    const sideOf = (side: Phase['side']): Side => ({ c1: best(side, 1), c32: best(side, 32) });
    say('deploy: stop, then time deploy → running and → first answered prediction');
    const deploy = await deployTimes(t, service.id, urls.instance, upload);
    return {
      backend: baseline.backend,
      rounds: LOAD_ROUNDS,
      baseline: sideOf('baseline'),
      instance: sideOf('instance'),
      gateway: sideOf('gateway'),
      two_instances_c32: best('two', 32),
      runs,
      deploy,
    };
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
