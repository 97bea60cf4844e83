/**
 * The minimal prediction server, once per compute backend and PNG decoder, and a
 * short load phase of each at every concurrency: the fastest variant at each
 * concurrency is the baseline the platform is measured against in the rounds.
 */
import type { ChildProcess } from 'node:child_process';
import { loadNativeAddon } from '../compute/native-addon';
import { BACKEND_NAMES, tfjsNodeInstalled, type BackendName } from '../compute/tf';
import { loadComputeConfig } from '../kernel/config';
import { distPath } from '../kernel/paths';
import { forkWithHandshake, terminate } from '../kernel/process/supervise';
import { DECODERS, type BaselineReady } from './baseline-options';
import { loadPhase, type LoadFigures, type Upload } from './load';

export interface Baseline {
  name: string;
  backend: string;
  decoder: string;
  url: string;
  child: ChildProcess;
}

export interface VariantFigures {
  name: string;
  figures: Record<string, LoadFigures>;
}

/** Backends this machine can start: tfjs-node where it installed, ours where its addon built. */
function installed(backend: BackendName): boolean {
  if (backend === 'tensorflow') return tfjsNodeInstalled();
  if (backend === 'native') return Boolean(loadNativeAddon(loadComputeConfig()).addon);
  return true;
}

export async function startBaselines(modelDir: string, say: (line: string) => void): Promise<Baseline[]> {
  const backends = BACKEND_NAMES.filter(installed);
  const started: Baseline[] = [];
  for (const backend of backends) {
    for (const decoder of DECODERS) {
      const env: NodeJS.ProcessEnv = { ...process.env, MA_BASELINE_MODEL: modelDir, MA_BASELINE_BACKEND: backend, MA_BASELINE_DECODER: decoder };
      delete env.TF_BACKEND;
      try {
        const { child, info } = await forkWithHandshake<BaselineReady>(distPath('bench/baseline-server.js'), {
          label: `baseline server (${backend}, ${decoder})`,
          startTimeoutMs: 60_000,
          env,
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        started.push({ name: `${info.backend}+${info.decoder}`, backend: info.backend, decoder: info.decoder, url: `http://127.0.0.1:${info.port}/`, child });
      } catch (err) {
        say(`baseline on ${backend} with ${decoder} did not start: ${(err as Error).message}`);
      }
    }
  }
  return started;
}

export async function stopBaselines(baselines: Baseline[]): Promise<void> {
  await Promise.all(baselines.map((b) => terminate(b.child, 2000)));
}

/** Each variant at each concurrency for `seconds`; the best variant's name per concurrency. */
export async function pickBaselines(
  baselines: Baseline[],
  upload: Upload,
  concurrencies: readonly number[],
  seconds: number,
  say: (line: string) => void,
): Promise<{ variants: VariantFigures[]; best: Record<number, Baseline> }> {
  const variants: VariantFigures[] = baselines.map((b) => ({ name: b.name, figures: {} }));
  const best: Record<number, Baseline> = {};
  for (const c of concurrencies) {
    for (const [i, b] of baselines.entries()) {
      say(`baseline variants: ${b.name}, concurrency ${c}, ${seconds} s`);
      const f = await loadPhase(b.url, upload, c, seconds, [b.child.pid!]);
      variants[i].figures[`c${c}`] = f;
      if (!best[c] || f.rps > variants[baselines.indexOf(best[c])].figures[`c${c}`].rps) best[c] = b;
    }
  }
  return { variants, best };
}
