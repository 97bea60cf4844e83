/**
 * The PyTorch peers: what a user would run instead on the same machine. Runs
 * bench/pytorch_peer.py (the same workloads, layouts, optimizers, batches, thread
 * count and MNIST digits) with every Python found that can `import torch`, one peer per
 * torch version: BENCH_PYTHON, the bench's own virtual environment (PyTorch 2.x from
 * PyPI, `npm run bench:venv`; BENCH_VENV or .venv-bench), Debian's /usr/bin/python3
 * (python3-torch 1.13), python3 on PATH.
 */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoPath } from '../kernel/paths';
import { MNIST_RAW_DIR } from '../samples/mnist/dataset';

const run = promisify(execFile);
/** The size of the square product each peer times as its BLAS ceiling. */
export const SGEMM_N = 2048;

export interface PeerFigures {
  python: string;
  torch: string;
  threads: number;
  /** Peer workload name → samples/s. */
  samples_per_s: Record<string, number>;
  /** torch.mm of two SGEMM_N² float32 matrices, when asked for. */
  sgemm_gflops?: number;
}

export interface PeerPython {
  python: string;
  torch: string;
}

/** The bench's own virtual environment, where `npm run bench:venv` puts PyTorch 2.x. */
export function benchVenvPython(): string {
  return path.join(process.env.BENCH_VENV ?? repoPath('.venv-bench'), 'bin', 'python');
}

/** Every Python with torch, one per torch version (the first found of each), or why there is none. */
export async function findPeerPythons(): Promise<{ peers: PeerPython[]; unavailable?: string }> {
  const candidates = [process.env.BENCH_PYTHON, benchVenvPython(), '/usr/bin/python3', 'python3'].filter((c): c is string => Boolean(c));
  const peers: PeerPython[] = [];
  for (const python of candidates) {
    const torch = await run(python, ['-c', 'import torch; print(torch.__version__)'], { timeout: 120_000 }).then((r) => r.stdout.trim(), () => undefined);
    if (torch && !peers.some((p) => p.torch === torch)) peers.push({ python, torch });
  }
  if (peers.length) return { peers };
  return {
    peers,
    unavailable: `no Python with torch (tried ${candidates.join(', ')}; npm run bench:venv for PyTorch 2.x from PyPI, apt-get install python3-torch libopenblas0-pthread for Debian's, or set BENCH_PYTHON)`,
  };
}

/** Runs `workloads` (peer names) in PyTorch on `threads` threads, `seconds` each; with `sgemm`, the BLAS rate first. */
export async function runPeer(python: string, workloads: string[], threads: number, seconds: number, sgemm = false): Promise<PeerFigures> {
  const args = [repoPath('bench', 'pytorch_peer.py'), '--mnist', MNIST_RAW_DIR, '--threads', String(threads), '--seconds', String(seconds), '--only', workloads.join(',')];
  if (sgemm) args.push('--sgemm', String(SGEMM_N));
  const lines = await output(python, args);
  const figures: PeerFigures = { python, torch: '', threads, samples_per_s: {} };
  for (const line of lines) {
    const record = JSON.parse(line) as { torch?: string; threads?: number; workload?: string; samples_per_s?: number; sgemm_gflops?: number };
    if (record.torch) {
      figures.torch = record.torch;
      figures.threads = record.threads ?? threads;
    }
    if (record.sgemm_gflops) figures.sgemm_gflops = record.sgemm_gflops;
    if (record.workload) figures.samples_per_s[record.workload] = record.samples_per_s ?? 0;
  }
  return figures;
}

/** The JSON lines a run printed; its stderr (a traceback) when it failed. */
function output(command: string, args: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(out.split('\n').filter((l) => l.startsWith('{')));
      else reject(new Error(`the PyTorch peer exited with ${code}: ${err.trim().split('\n').pop()}`));
    });
  });
}
