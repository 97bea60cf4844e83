/**
 * `npm run bench`: how close the platform comes to the bare minimum, measured side by
 * side in one run (see docs/performance.md). Prints a table and writes the figures to
 * bench/results/bench-<date>.json (and latest.json). `--quick` shortens the load
 * phases to 3 s and training to 200 steps, for trying the bench itself;
 * `--only=compute,service,…` runs those parts alone (see PARTS).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BACKEND_NAMES, tfjsNodeInstalled, type BackendName } from '../compute/tf';
import { loadComputeConfig } from '../kernel/config';
import { loadNativeAddon } from '../compute/native-addon';
import { distPath, repoPath } from '../kernel/paths';
import { forkWithHandshake } from '../kernel/process/supervise';
import type { ProbeFigures } from './compute-probe';
import { benchDigitService } from './digit-service';
import { comparePeers } from './peer-comparison';
import { benchPredictions } from './predictions';
import { benchPythonHook } from './python-hook';
import { benchTraining } from './training';
import { backendRows, baselineVariantRows, ceilingRows, digitBatchingRows, digitServiceRows, formatTable, peerRows, predictionRows, pythonHookRows, trainingRows, type BenchFigures } from './report';
import { benchDigitBatching } from './digit-batching';
import { benchSavedModel } from './savedmodel';
import { savedModelRows } from './savedmodel-report';
import { batchServiceRows, benchBatchService } from './batch-service';
import { benchMoxingCopy, moxingCopyRows } from './moxing-copy';
import { benchCluster, clusterRows } from './cluster';

const quick = process.argv.includes('--quick');
/** `--only=` parts, comma-separated: `backends` is the probes alone, `compute` the probes and the PyTorch comparison. */
const PARTS = ['compute', 'backends', 'service', 'predictions', 'digit-batching', 'python-hook', 'training', 'moxing', 'batch', 'savedmodel', 'cluster'] as const;
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const runs = (part: (typeof PARTS)[number]) => !only || only.includes(part);
const SECONDS = quick ? 3 : 10;
const STEPS = quick ? 200 : 1000;
const PROBE_TIMEOUT_MS = 300_000;
/** Each workload of the PyTorch comparison runs this long per round. */
const PEER_SECONDS = quick ? 2 : 4;

function say(line: string): void {
  process.stderr.write(`  · ${line}\n`);
}

/** One backend's figures, in a process of its own; `only`: just these workloads' samples/s (the peer's names). */
async function probe(backend: BackendName, only?: string[]): Promise<BenchFigures['backends'][number]> {
  if (!only) say(`compute: ${backend} (matmul, denormals, samples/s of each workload)`);
  const env: NodeJS.ProcessEnv = { ...process.env, MA_PROBE_BACKEND: backend, ...(only ? { MA_PROBE_ONLY: only.join(',') } : {}) };
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
  const unknown = only?.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown?.length) throw new Error(`--only takes ${PARTS.join(', ')}; not ${unknown.join(', ')}`);
  if (runs('compute') || runs('backends')) {
    const backends = BACKEND_NAMES.filter((b) => b !== 'tensorflow' || tfjsNodeInstalled());
    for (const backend of backends) figures.backends.push(await probe(backend));
  }
  if (runs('compute')) {
    const found = (name: string) => figures.backends.find((b): b is ProbeFigures => b.backend === name && !('error' in b));
    const full = { native: found('native'), wasm: found('wasm') };
    figures.peers = await comparePeers(full, (backend, workloads) => probe(backend, workloads) as Promise<ProbeFigures | { error: string }>, loadComputeConfig().threads, PEER_SECONDS, say);
  }
  if (runs('service')) {
    const nativeThere = Boolean(loadNativeAddon(loadComputeConfig()).addon);
    figures.digit_service = await benchDigitService(nativeThere ? ['native', 'wasm'] : ['wasm'], SECONDS, say);
  }
  if (runs('predictions')) figures.predictions = await benchPredictions(SECONDS, say);
  if (runs('digit-batching')) figures.digit_batching = await benchDigitBatching(SECONDS, say);
  if (runs('python-hook')) figures.python_hook = await benchPythonHook(SECONDS, say);
  if (runs('training')) figures.training = await benchTraining(STEPS, say);
  if (runs('moxing')) figures.moxing_copy = await benchMoxingCopy(say);
  if (runs('cluster')) figures.cluster = await benchCluster(SECONDS, say);
  if (runs('batch')) figures.batch_service = await benchBatchService(SECONDS, say).catch((err: Error) => ({ error: err.message.split('\n')[0] }) as BenchFigures['batch_service']);
  if (runs('savedmodel')) figures.savedmodel = await benchSavedModel(SECONDS, say);
  console.log(`\nModelArts Local benchmark, ${figures.date}, ${figures.machine.cpus} cpus (${figures.machine.model}), load average at start ${figures.machine.load_average_at_start.join(' ')}, at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  const tables = tablesOf(figures);
  console.log(formatTable(tables.filter((rows): rows is string[][] => Boolean(rows))));
  await writeFigures(figures);
}

/** bench/results/bench-<date>.json, and latest.json for a whole run. */
async function writeFigures(figures: BenchFigures): Promise<void> {
  const dir = repoPath('bench', 'results');
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `bench-${figures.date.replace(/[:.]/g, '-')}${only ? `-${only.join('-')}` : ''}.json`);
  const text = JSON.stringify(figures, null, 2) + '\n';
  await fs.writeFile(file, text);
  // A partial run does not stand for the whole bench.
  if (!only) await fs.writeFile(path.join(dir, 'latest.json'), text);
  console.log(`\nfigures written to ${path.relative(process.cwd(), file)}`);
}

/** The report's tables, one per part that ran. */
function tablesOf(figures: BenchFigures): (string[][] | undefined)[] {
  return [
    figures.peers && peerRows(figures.peers, figures.backends),
    figures.peers && !figures.peers.unavailable ? ceilingRows(figures.peers, figures.backends) : undefined,
    figures.digit_service && digitServiceRows(figures.digit_service),
    figures.predictions && predictionRows(figures.predictions),
    figures.predictions && baselineVariantRows(figures.predictions),
    figures.digit_batching && digitBatchingRows(figures.digit_batching),
    figures.python_hook && pythonHookRows(figures.python_hook),
    figures.training && trainingRows(figures.training),
    figures.moxing_copy && moxingCopyRows(figures.moxing_copy),
    figures.batch_service && batchServiceRows(figures.batch_service),
    figures.savedmodel && savedModelRows(figures.savedmodel),
    figures.cluster && clusterRows(figures.cluster),
    figures.backends.length ? backendRows(figures.backends) : undefined,
  ];
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
