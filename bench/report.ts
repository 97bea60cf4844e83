/** The benchmark's figures as one table for the terminal, and the targets they are read against. */
import type { ClusterFigures } from './cluster';
import os from 'node:os';
import type { BatchServiceFigures } from './batch-service';
import type { ProbeFigures } from './compute-probe';
import type { DigitServiceFigures } from './digit-service';
import type { LoadFigures } from './load';
import { fastestPeer, type PeerComparison } from './peer-comparison';
import { SGEMM_N } from './pytorch-peer';
import { effectiveGflops, FLOPS_PER_SAMPLE } from './workload-flops';
import type { PredictionFigures } from './predictions';
import type { PythonHookFigures } from './python-hook';
import type { TrainingFigures } from './training';
import type { DigitBatchingFigures } from './digit-batching';
import type { CopyFigures } from './moxing-copy';

import type { SavedModelFigures } from './savedmodel';

export interface BenchFigures {
  date: string;
  machine: { cpus: number; model: string; load_average_at_start: number[]; node: string };
  seconds_per_phase: number;
  predictions?: PredictionFigures;
  python_hook?: PythonHookFigures;
  digit_batching?: DigitBatchingFigures;
  training?: TrainingFigures;
  backends: (ProbeFigures | { backend: string; error: string })[];
  peers?: PeerComparison;
  digit_service?: DigitServiceFigures[];
  moxing_copy?: CopyFigures;
  batch_service?: BatchServiceFigures;
  savedmodel?: SavedModelFigures;
  cluster?: ClusterFigures;
}

/** What each compared workload is read against: native over the faster PyTorch, and native/wasm. */
const PEER_TARGETS: Record<string, { pytorch: number; wasm?: number }> = {
  'digit-train': { pytorch: 1.5, wasm: 6 },
  'digit-forward': { pytorch: 1.5 },
  'mlp-train': { pytorch: 1.0 },
};

const min = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const x = (v: number) => `${v.toFixed(2)}x`;

function cpu(f: LoadFigures, base?: LoadFigures): string {
  if (f.server_cpu_ms_per_request === undefined) return '';
  const ratio = base?.server_cpu_ms_per_request ? ` (${x(f.server_cpu_ms_per_request / base.server_cpu_ms_per_request)})` : '';
  return `${f.server_cpu_ms_per_request.toFixed(3)}${ratio}`;
}

function loadRow(label: string, f: LoadFigures, base: LoadFigures, target?: string): string[] {
  return [label, f.rps.toFixed(0), f.p50_ms.toFixed(2), f.p99_ms.toFixed(2), String(f.errors + f.non_2xx), x(f.rps / base.rps), x(f.p99_ms / base.p99_ms), cpu(f, base), target ?? ''];
}

export function predictionRows(p: PredictionFigures): string[][] {
  const tool = p.baseline.c1.tool;
  const rows: string[][] = [[`prediction, MNIST multipart PNG (${tool}, best of ${p.rounds})`, 'req/s', 'p50 ms', 'p99 ms', 'errors', 'req/s vs base', 'p99 vs base', 'CPU ms/req (vs base)', 'target']];
  for (const c of ['c1', 'c32'] as const) {
    const base = p.baseline[c];
    rows.push(loadRow(`fastest minimal server (${p.baseline_choice[c]}), concurrency ${base.connections}`, base, base));
    rows.push(loadRow(`  instance address, concurrency ${base.connections}`, p.instance[c], base, c === 'c1' ? '≥1.00x' : '≥1.00x, p99 ≤1.00x'));
    rows.push(loadRow(`  instance address, batching off, concurrency ${base.connections}`, p.instance_unbatched[c], base));
    rows.push(loadRow(`  gateway /v1/infers, concurrency ${base.connections}`, p.gateway[c], base, '≥0.90x'));
  }
  const two = p.two_instances_c32;
  const one = p.instance_unbatched.c32;
  rows.push([
    'instance_count 2 (batching off), concurrency 32',
    two.rps.toFixed(0),
    two.p50_ms.toFixed(2),
    two.p99_ms.toFixed(2),
    String(two.errors + two.non_2xx),
    `${x(two.rps / one.rps)} of 1 instance`,
    '',
    cpu(two, one),
    '≥1.80x',
  ]);
  const ceiling = twoInstanceCeiling(two, one);
  if (ceiling) rows.push([`  the load generator: wrk${two.load_cpus ? ` on CPU ${two.load_cpus}` : ''}, ${two.load_cpu_ms_per_request!.toFixed(3)} CPU ms/req; ${ceiling.cpus} cores at this CPU per request`, '', '', '', '', `≤${x(ceiling.ratio)} of 1 instance`, '', '', 'the ceiling']);
  rows.push(['deploy → running (median of 3)', '', `${median(p.deploy.to_running_ms)} ms`, '', '', '', '', '', '']);
  rows.push(['deploy → first answered prediction (median of 3)', '', `${median(p.deploy.to_first_prediction_ms)} ms`, '', '', '', '', '', '≤1500 ms']);
  return rows;
}

/**
 * What two instances can reach over one on this machine: all its cores, each request
 * costing the servers' CPU and the load generator's, against one instance's figure.
 */
function twoInstanceCeiling(two: LoadFigures, one: LoadFigures): { cpus: number; ratio: number } | undefined {
  if (two.server_cpu_ms_per_request === undefined || two.load_cpu_ms_per_request === undefined || !one.rps) return undefined;
  const cpus = os.availableParallelism();
  return { cpus, ratio: (cpus * 1000) / (two.server_cpu_ms_per_request + two.load_cpu_ms_per_request) / one.rps };
}

/** Every minimal-server variant tried before the rounds: the fastest at each concurrency is the baseline. */
export function baselineVariantRows(p: PredictionFigures): string[][] {
  const rows: string[][] = [['minimal server variants (backend+decoder)', 'req/s c1', 'CPU ms/req c1', 'req/s c32', 'CPU ms/req c32']];
  for (const v of p.baseline_variants) {
    const [c1, c32] = [v.figures.c1, v.figures.c32];
    rows.push([`  ${v.name}`, c1?.rps.toFixed(0) ?? '', c1 ? cpu(c1) : '', c32?.rps.toFixed(0) ?? '', c32 ? cpu(c32) : '']);
  }
  return rows;
}

export function digitBatchingRows(d: DigitBatchingFigures): string[][] {
  const tool = d.batched.tool;
  return [
    [`DigitClassifier service, concurrency ${d.batched.connections} (${tool}, best of ${d.rounds})`, 'images/s', 'p50 ms', 'p99 ms', 'errors', 'vs batching off', 'target'],
    ['  batching off', d.unbatched.rps.toFixed(1), d.unbatched.p50_ms.toFixed(1), d.unbatched.p99_ms.toFixed(1), String(d.unbatched.errors + d.unbatched.non_2xx), '', ''],
    [`  batching auto (${d.batching})`, d.batched.rps.toFixed(1), d.batched.p50_ms.toFixed(1), d.batched.p99_ms.toFixed(1), String(d.batched.errors + d.batched.non_2xx), x(d.batched.rps / d.unbatched.rps), '≥5.00x'],
    [`  one model call: batch 1 ${d.model_ms.batch1.toFixed(1)} ms, batch ${d.model_ms.batch} ${d.model_ms.batched.toFixed(1)} ms (${(d.model_ms.batched / d.model_ms.batch).toFixed(2)} ms an image)`, '', '', '', '', x((d.model_ms.batch1 * d.model_ms.batch) / d.model_ms.batched), 'the ceiling'],
  ];
}

export function pythonHookRows(p: PythonHookFigures): string[][] {
  const tool = p.js.c1.tool;
  const rows: string[][] = [[`inference code, same MNIST model (${tool}, best of ${p.rounds})`, 'req/s', 'p50 ms', 'p99 ms', 'errors', 'req/s vs JS', 'p99 vs JS', 'CPU ms/req (vs JS)', 'target']];
  const targets = { c1: ['≥0.80x, CPU ≤1.50x', ''], c32: ['≥0.50x, CPU ≤1.50x', ''] };
  for (const c of ['c1', 'c32'] as const) {
    const base = p.js[c];
    rows.push(loadRow(`customize_service.js, concurrency ${base.connections}`, base, base));
    rows.push(loadRow(`  customize_service.py (${p.workers_per_instance} workers), concurrency ${base.connections}`, p.python[c], base, targets[c][0]));
    if (p.python_constant) rows.push(loadRow(`  customize_service.py answering a constant (the transport alone), concurrency ${base.connections}`, p.python_constant[c], base, targets[c][1]));
  }
  return rows;
}

export function trainingRows(t: TrainingFigures): string[][] {
  const direct = min(t.direct_s);
  const platform = min(t.platform_s);
  return [
    [`training, tutorial job ${t.steps} steps (best of ${t.direct_s.length})`, 'seconds', 'vs direct', 'extra s', 'target'],
    ['  node train_mnist_tfjs.js on local files', direct.toFixed(2), '', '', ''],
    ['  through the platform (POST → Completed)', platform.toFixed(2), x(platform / direct), (platform - direct).toFixed(2), `≤ ${(direct * 1.1 + 3).toFixed(2)} s (1.10x + 3 s)`],
  ];
}

export function backendRows(backends: BenchFigures['backends']): string[][] {
  const rows: string[][] = [['backend', 'matmul GFLOP/s', 'denormal matmul', 'workload', 'samples/s', 'denormals after']];
  for (const b of backends) {
    if ('error' in b) {
      rows.push([b.backend, `unavailable: ${b.error}`, '', '', '', '']);
      continue;
    }
    b.workloads.forEach((w, i) =>
      rows.push([
        i ? '' : b.backend,
        i ? '' : (b.matmul_gflops?.toFixed(2) ?? ''),
        i ? '' : b.denormal_matmul_slowdown === undefined ? '' : `${b.denormal_matmul_slowdown.toFixed(1)}x slower`,
        w.name,
        w.error ? cannotTrain(w.error) : w.samples_per_s.toFixed(1),
        w.error ? '' : String(w.denormal_values),
      ]),
    );
  }
  return rows;
}

const met = (ratio: number, target: number) => `${ratio >= target ? 'met' : 'MISSED'}: ≥${target.toFixed(2)}x`;

/** native, each PyTorch and wasm side by side, with the ratios to the faster PyTorch and their targets. */
export function peerRows(c: PeerComparison, backends: BenchFigures['backends']): string[][] {
  const rounds = [c.rounds.native.length, ...c.peers.map((p) => p.rounds.length), c.rounds.wasm.length].join(', ');
  const torches = c.peers.map((p) => `PyTorch ${p.torch}`);
  const header = [`native against ${torches.join(' and ') || 'PyTorch'} and wasm (${c.threads} threads each; best of ${rounds} rounds)`, 'batch', 'native/s', ...torches.map((t) => `${t}/s`), 'native/faster PyTorch', 'target', 'wasm/s', 'native/wasm', 'target'];
  if (c.unavailable) return [header, [`  not measured: ${c.unavailable}`, ...header.slice(1).map(() => '')]];
  const rows = [header];
  for (const w of comparedWorkloads(backends)) {
    const peer = w.peer!;
    const target = PEER_TARGETS[peer];
    const n = c.native[peer];
    const fastest = fastestPeer(c, peer)?.best[peer];
    const onWasm = c.wasm[peer];
    rows.push([
      `  ${w.name}`, String(w.batch), n?.toFixed(1) ?? '', ...c.peers.map((p) => p.best[peer]?.toFixed(1) ?? (p.error ? 'failed' : '')),
      n && fastest ? x(n / fastest) : '', n && fastest ? met(n / fastest, target.pytorch) : '',
      onWasm?.toFixed(1) ?? '', n && onWasm ? x(n / onWasm) : '', target.wasm && n && onWasm ? met(n / onWasm, target.wasm) : '',
    ]);
  }
  for (const p of c.peers.filter((peer) => peer.error)) rows.push([`  PyTorch ${p.torch} (${p.python}) failed: ${p.error}`, ...header.slice(1).map(() => '')]);
  return rows;
}

/** The machine's ceiling (sgemm of 2048² floats) and what each workload reaches of it, in GFLOP/s. */
export function ceilingRows(c: PeerComparison, backends: BenchFigures['backends']): string[][] {
  const native = backends.find((b): b is ProbeFigures => b.backend === 'native' && !('error' in b));
  const header = ['GFLOP/s (products of convolutions and dense layers per sample × samples/s)', 'native', ...c.peers.map((p) => `PyTorch ${p.torch}`)];
  const rows = [header, [`  sgemm ${SGEMM_N}x${SGEMM_N} (the addon's through tfjs matMul; torch.mm)`, native?.sgemm_gflops?.toFixed(1) ?? '', ...c.peers.map((p) => p.sgemm_gflops?.toFixed(1) ?? '')]];
  for (const w of comparedWorkloads(backends)) {
    const peer = w.peer!;
    const gflops = (rate: number | undefined) => effectiveGflops(peer, rate)?.toFixed(2) ?? '';
    rows.push([`  ${w.name}, ${(FLOPS_PER_SAMPLE[peer] / 1e6).toFixed(2)} MFLOP a sample`, gflops(c.native[peer]), ...c.peers.map((p) => gflops(p.best[peer]))]);
  }
  return rows;
}

function comparedWorkloads(backends: BenchFigures['backends']): ProbeFigures['workloads'] {
  const native = backends.find((b): b is ProbeFigures => b.backend === 'native' && !('error' in b));
  return native?.workloads.filter((w) => w.peer && PEER_TARGETS[w.peer]) ?? [];
}

export function digitServiceRows(figures: DigitServiceFigures[]): string[][] {
  const rows = [['DigitClassifier through a service (the sample\'s hook, one instance)', 'ms per image, batch 1', 'p99 ms', 'images/s, concurrency 32', 'p99 ms']];
  for (const f of figures) {
    if (f.error || !f.c1 || !f.c32) {
      rows.push([`  ${f.backend}`, `failed: ${f.error ?? 'no figures'}`, '', '', '']);
      continue;
    }
    rows.push([`  ${f.backend}`, (1000 / f.c1.rps).toFixed(2), f.c1.p99_ms.toFixed(2), f.c32.rps.toFixed(0), f.c32.p99_ms.toFixed(2)]);
  }
  return rows;
}

function cannotTrain(error: string): string {
  if (error.startsWith('not run')) return error;
  const kernel = /Kernel '(\w+)' not registered/.exec(error)?.[1];
  return `cannot train: ${kernel ? `no ${kernel} kernel` : error.slice(0, 60)}`;
}

/** Columns padded to their widest cell; the first row of each block is its header. */
export function formatTable(blocks: string[][][]): string {
  return blocks
    .map((rows) => {
      const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
      const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
      return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
    })
    .join('\n\n');
}
