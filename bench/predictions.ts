/**
 * Prediction figures: the MNIST service through its access address (batching as it
 * comes, auto, and off) and through the gateway, against the fastest minimal server
 * (each backend and PNG decoder tried first, bench/baselines.ts), each at concurrency 1
 * and 32, and a second service of the same model on two instances at concurrency 32.
 * The phases run in rounds, interleaved, so that a change in the machine's load hits
 * all sides alike; each side's figure is its best round (the one least disturbed by
 * other work). Then the time a deploy takes.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestPlatform, type TestPlatform } from '../test/helpers/platform';
import { api } from '../test/helpers/http';
import { testDigits, trainedMnistPackage } from '../test/helpers/mnist-model';
import { deployService, importMnist, waitForService } from '../test/helpers/services';
import { loadFromAnotherProcess, loadPhase, multipart, round, type LoadFigures, type Upload } from './load';
import { pickBaselines, startBaselines, stopBaselines, type VariantFigures } from './baselines';

export const CONCURRENCIES = [1, 32] as const;
const LOAD_ROUNDS = 2;
const DEPLOY_ROUNDS = 3;
const POLL_MS = 5;
/** Seconds of each baseline variant's phase, before the rounds. */
const VARIANT_SECONDS = 4;

export interface Side {
  c1: LoadFigures;
  c32: LoadFigures;
}

export interface PredictionFigures {
  /** Every minimal-server variant (backend+decoder) at each concurrency, before the rounds. */
  baseline_variants: VariantFigures[];
  /** The variant taken as the baseline at each concurrency. */
  baseline_choice: { c1: string; c32: string };
  /** What the service's deploy said about batching its model. */
  batching_note?: string;
  rounds: number;
  /** Best round of each side. */
  baseline: Side;
  instance: Side;
  instance_unbatched: Side;
  gateway: Side;
  /** Two instances, batching off, against instance_unbatched.c32. */
  two_instances_c32: LoadFigures;
  /** Every round of every phase, in the order run. */
  runs: (LoadFigures & { side: string })[];
  deploy: { to_running_ms: number[]; to_first_prediction_ms: number[] };
}

type SideName = 'baseline' | 'instance' | 'instance_unbatched' | 'gateway' | 'two';
type Phase = { side: SideName; c: 1 | 32 };
const PHASES: Phase[] = [
  ...CONCURRENCIES.flatMap((c) => (['baseline', 'instance', 'instance_unbatched', 'gateway'] as const).map((side) => ({ side, c }))),
  { side: 'two', c: 32 },
];

/** The digit every request uploads: test image 0 (a 7), as `npm run digits` writes it. */
export function digitUpload(): Upload {
  return multipart('images', 'digit.png', 'image/png', testDigits([0])[0].png);
}

export async function benchPredictions(seconds: number, say: (line: string) => void): Promise<PredictionFigures> {
  const pkg = await trainedMnistPackage();
  const baselines = await startBaselines(path.join(pkg, 'model'), say);
  const t = await startTestPlatform();
  try {
    const upload = digitUpload();
    const picked = await pickBaselines(baselines, upload, CONCURRENCIES, VARIANT_SECONDS, say);
    const model = await importMnist(t, 'bench', 'mnist');
    const deploy = async (name: string, body: Record<string, unknown>) => {
      const s = await deployService(t.url, { name, model_id: model.id, ...body });
      if (s.status !== 'running') throw new Error(`${name} did not deploy: ${JSON.stringify(s.events)}`);
      return s;
    };
    const service = await deploy('mnist-bench', { instance_count: 1 });
    const unbatched = await deploy('mnist-bench-unbatched', { instance_count: 1, batching: false });
    const two = await deploy('mnist-bench-two', { instance_count: 2, batching: false });
    // The platform (this process) hands connections over; it counts unless autocannon runs in it too.
    const platformPid = loadFromAnotherProcess() ? [process.pid] : [];
    const pidsOf = (s: { instances: { pid: number }[] }) => [...s.instances.map((i) => i.pid), ...platformPid];
    const target = (side: SideName, c: number): { url: string; pids: number[] } => {
      if (side === 'baseline') return { url: picked.best[c].url, pids: [picked.best[c].child.pid!] };
      if (side === 'instance_unbatched') return { url: unbatched.access_address, pids: pidsOf(unbatched) };
      if (side === 'two') return { url: two.access_address, pids: pidsOf(two) };
      return { url: side === 'gateway' ? `${t.url}/v1/infers/${service.id}/` : service.access_address, pids: pidsOf(service) };
    };
    const runs = await loadRounds(target, upload, seconds, say);
    await api(t.url, 'DELETE', `/services/${two.id}`);
    await api(t.url, 'DELETE', `/services/${unbatched.id}`);
    const best = (side: SideName, c: number) => runs.filter((f) => f.side === side && f.connections === c).sort((a, b) => b.rps - a.rps)[0];
    const sideOf = (side: SideName): Side => ({ c1: best(side, 1), c32: best(side, 32) });
    say('deploy: stop, then time deploy → running and → first answered prediction');
    const deployTimesMs = await deployTimes(t, service.id, service.access_address, upload);
    return {
      baseline_variants: picked.variants,
      baseline_choice: { c1: picked.best[1].name, c32: picked.best[32].name },
      batching_note: (service.events as { message: string }[]).find((e) => /^instance .*batching/.test(e.message) || /^batching/.test(e.message))?.message,
      rounds: LOAD_ROUNDS,
      baseline: sideOf('baseline'),
      instance: sideOf('instance'),
      instance_unbatched: sideOf('instance_unbatched'),
      gateway: sideOf('gateway'),
      two_instances_c32: best('two', 32),
      runs,
      deploy: deployTimesMs,
    };
  } finally {
    await t.close();
    await stopBaselines(baselines);
  }
}

/** Every phase, LOAD_ROUNDS times over, the sides interleaved so that a noisy moment of the machine hits them alike. */
async function loadRounds(target: (side: SideName, c: number) => { url: string; pids: number[] }, upload: Upload, seconds: number, say: (line: string) => void): Promise<PredictionFigures['runs']> {
  const runs: PredictionFigures['runs'] = [];
  for (let r = 1; r <= LOAD_ROUNDS; r++) {
    for (const { side, c } of PHASES) {
      say(`load round ${r} of ${LOAD_ROUNDS}: ${side}, concurrency ${c}, ${seconds} s`);
      const { url, pids } = target(side, c);
      runs.push({ side, ...(await loadPhase(url, upload, c, seconds, pids)) });
    }
  }
  return runs;
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
    await sleep(POLL_MS);
  }
  throw new Error('timed out');
}
