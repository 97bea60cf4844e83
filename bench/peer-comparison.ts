/**
 * Native against every PyTorch found (Debian's 1.13, PyPI's 2.x in the bench's own
 * environment) and wasm, measured side by side: the workloads all run, alternately in
 * rounds (each peer, a native probe, a wasm probe, twice), each side keeping its best
 * round, so that other work on the machine disturbs all alike and least. The full
 * probes of the same run count as one more round of native and wasm. Each peer also
 * times its BLAS (torch.mm of 2048² floats) in its first round: the machine's ceiling.
 */
import type { ProbeFigures } from './compute-probe';
import { findPeerPythons, runPeer } from './pytorch-peer';

const ROUNDS = 2;

export interface TorchPeer {
  python: string;
  torch: string;
  /** Peer workload name → best samples/s. */
  best: Record<string, number>;
  rounds: Record<string, number>[];
  sgemm_gflops?: number;
  /** Why this peer stopped (it failed a round). */
  error?: string;
}

export interface PeerComparison {
  threads: number;
  unavailable?: string;
  peers: TorchPeer[];
  /** Peer workload name → best samples/s of each side. */
  native: Record<string, number>;
  wasm: Record<string, number>;
  rounds: { native: Record<string, number>[]; wasm: Record<string, number>[] };
}

export type Probe = (backend: 'native' | 'wasm', workloads: string[]) => Promise<ProbeFigures | { error: string }>;

export async function comparePeers(
  full: { native?: ProbeFigures; wasm?: ProbeFigures },
  probe: Probe,
  threads: number,
  seconds: number,
  say: (line: string) => void,
): Promise<PeerComparison> {
  const comparison: PeerComparison = { threads, peers: [], native: {}, wasm: {}, rounds: { native: [], wasm: [] } };
  const found = await findPeerPythons();
  if (found.unavailable) return { ...comparison, unavailable: found.unavailable };
  if (!full.native) return { ...comparison, unavailable: 'the native backend is not available here' };
  const compared = full.native.workloads.filter((w) => w.peer && !w.error).map((w) => w.peer!);
  comparison.peers = found.peers.map((p) => ({ ...p, best: {}, rounds: [] }));
  comparison.rounds.native.push(rates(full.native));
  if (full.wasm) comparison.rounds.wasm.push(rates(full.wasm));
  for (let r = 1; r <= ROUNDS; r++) {
    for (const peer of comparison.peers.filter((p) => !p.error)) {
      say(`PyTorch ${peer.torch} round ${r} of ${ROUNDS} (${peer.python}, ${threads} threads)`);
      await runPeer(peer.python, compared, threads, seconds, r === 1).then(
        (figures) => {
          peer.rounds.push(figures.samples_per_s);
          peer.sgemm_gflops ??= figures.sgemm_gflops;
        },
        (err: Error) => (peer.error = err.message),
      );
    }
    for (const backend of ['native', 'wasm'] as const) {
      if (backend === 'wasm' && !full.wasm) continue;
      say(`${backend} round ${r + 1} of ${ROUNDS + 1} of the same workloads`);
      const again = await probe(backend, compared);
      if (!('error' in again)) comparison.rounds[backend].push(rates(again));
    }
  }
  for (const peer of comparison.peers) peer.best = best(peer.rounds);
  comparison.native = best(comparison.rounds.native);
  comparison.wasm = best(comparison.rounds.wasm);
  return comparison;
}

/** The faster peer of a workload: the one the targets are read against. */
export function fastestPeer(c: PeerComparison, workload: string): TorchPeer | undefined {
  return c.peers.filter((p) => p.best[workload]).sort((a, b) => b.best[workload] - a.best[workload])[0];
}

function rates(p: ProbeFigures): Record<string, number> {
  return Object.fromEntries(p.workloads.filter((w) => w.peer && !w.error).map((w) => [w.peer!, w.samples_per_s]));
}

function best(rounds: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const round of rounds) for (const [k, v] of Object.entries(round)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}
