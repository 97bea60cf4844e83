/**
 * The PyTorch peer: what a user would run instead on the same machine. Runs
 * bench/pytorch_peer.py (the same workloads, layouts, optimizers, batches, thread
 * count and MNIST digits) with the first Python that can `import torch`: BENCH_PYTHON,
 * then Debian's /usr/bin/python3, then python3 on PATH.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { repoPath } from '../kernel/paths';
import { MNIST_RAW_DIR } from '../samples/mnist/dataset';

const run = promisify(execFile);

export interface PeerFigures {
  python: string;
  torch: string;
  threads: number;
  /** Peer workload name → samples/s. */
  samples_per_s: Record<string, number>;
}

export type PeerResult = PeerFigures | { unavailable: string };

/** A Python with torch, or why there is none. */
export async function findPeerPython(): Promise<{ python: string } | { unavailable: string }> {
  const candidates = [process.env.BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => Boolean(c));
  for (const python of candidates) {
    const ok = await run(python, ['-c', 'import torch'], { timeout: 60_000 }).then(() => true, () => false);
    if (ok) return { python };
  }
  return { unavailable: `no Python with torch (tried ${candidates.join(', ')}; apt-get install python3-torch libopenblas0-pthread, or set BENCH_PYTHON)` };
}

/** Runs `workloads` (peer names) in PyTorch on `threads` threads, `seconds` each. */
export async function runPeer(python: string, workloads: string[], threads: number, seconds: number): Promise<PeerFigures> {
  const args = [repoPath('bench', 'pytorch_peer.py'), '--mnist', MNIST_RAW_DIR, '--threads', String(threads), '--seconds', String(seconds), '--only', workloads.join(',')];
  const lines = await output(python, args);
  const figures: PeerFigures = { python, torch: '', threads, samples_per_s: {} };
  for (const line of lines) {
    const record = JSON.parse(line) as { torch?: string; threads?: number; workload?: string; samples_per_s?: number };
    if (record.torch) {
      figures.torch = record.torch;
      figures.threads = record.threads ?? threads;
    }
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
