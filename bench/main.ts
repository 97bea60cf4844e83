/**
 * `npm run bench`: how close the platform comes to the bare minimum, measured side by
 * side in one run (see README "Performance"). Prints a table and writes the figures to
 * bench/results/bench-<date>.json (and latest.json). `--quick` shortens the load
 * phases to 3 s and training to 200 steps, for trying the bench itself.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BACKEND_NAMES, nativeAvailable, type BackendName } from '../platform/compute/tf';
import { distPath, repoPath } from '../platform/paths';
import { forkWithHandshake } from '../platform/process/supervise';
import type { ProbeFigures } from './compute-probe';
import { benchPredictions } from './predictions';
import { benchPythonHook } from './python-hook';
import { benchTraining } from './training';
import { backendRows, baselineVariantRows, digitBatchingRows, formatTable, predictionRows, pythonHookRows, trainingRows, type BenchFigures } from './report';
import { benchDigitBatching } from './digit-batching';

const quick = process.argv.includes('--quick');
/** `--only=python-hook` (or predictions, digit-batching, training, backends) runs that part alone. */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const runs = (part: string) => !only || only === part;
const SECONDS = quick ? 3 : 10;
const STEPS = quick ? 200 : 1000;
const PROBE_TIMEOUT_MS = 300_000;

function say(line: string): void {
  process.stderr.write(`  · ${line}\n`);
}

async function probe(backend: BackendName): Promise<BenchFigures['backends'][number]> {
  say(`compute: ${backend} (matmul, denormals, training samples/s)`);
  const env: NodeJS.ProcessEnv = { ...process.env, MA_PROBE_BACKEND: backend };
  delete env.TF_BACKEND;
  try {
    const { child, info } = await forkWithHandshake<ProbeFigures>(distPath('bench/compute-probe.js'), {
      label: `${backend} probe`,
      startTimeoutMs: PROBE_TIMEOUT_MS,
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.kill();
    return info;
  } catch (err) {
    return { backend, error: (err as Error).message };
  }
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL ??= 'silent';
  const figures: BenchFigures = {
    date: new Date().toISOString(),
    machine: { cpus: os.availableParallelism(), model: os.cpus()[0]?.model ?? 'unknown', load_average_at_start: os.loadavg().map((l) => Math.round(l * 100) / 100), node: process.version },
    seconds_per_phase: SECONDS,
    backends: [],
  };
  const backends = BACKEND_NAMES.filter((b) => b !== 'tensorflow' || nativeAvailable());
  if (runs('backends')) for (const backend of backends) figures.backends.push(await probe(backend));
  if (runs('predictions')) figures.predictions = await benchPredictions(SECONDS, say);
  if (runs('digit-batching')) figures.digit_batching = await benchDigitBatching(SECONDS, say);
  if (runs('python-hook')) figures.python_hook = await benchPythonHook(SECONDS, say);
  if (runs('training')) figures.training = await benchTraining(STEPS, say);
  console.log(`\nModelArts Local benchmark, ${figures.date}, ${figures.machine.cpus} cpus (${figures.machine.model}), load average at start ${figures.machine.load_average_at_start.join(' ')}\n`);
  const tables = [
    figures.predictions && predictionRows(figures.predictions),
    figures.predictions && baselineVariantRows(figures.predictions),
    figures.digit_batching && digitBatchingRows(figures.digit_batching),
    figures.python_hook && pythonHookRows(figures.python_hook),
    figures.training && trainingRows(figures.training),
    figures.backends.length ? backendRows(figures.backends) : undefined,
  ];
  console.log(formatTable(tables.filter((rows): rows is string[][] => rows !== undefined)));
  const dir = repoPath('bench', 'results');
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `bench-${figures.date.replace(/[:.]/g, '-')}${only ? `-${only}` : ''}.json`);
  const text = JSON.stringify(figures, null, 2) + '\n';
  await fs.writeFile(file, text);
  // A partial run does not stand for the whole bench.
  if (!only) await fs.writeFile(path.join(dir, 'latest.json'), text);
  console.log(`\nfigures written to ${path.relative(process.cwd(), file)}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
