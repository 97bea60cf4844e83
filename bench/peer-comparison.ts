/**
 * Native against PyTorch (and wasm), measured side by side: the workloads both run,
 * alternately in rounds (the peer, a native probe, a wasm probe, twice), each side
 * keeping its best round, so that other work on the machine disturbs all alike and
 * least. The full probes of the same run count as one more round of native and wasm.
 */
import type { ProbeFigures } from './compute-probe';
import { findPeerPython, runPeer, type PeerFigures } from './pytorch-peer';

const ROUNDS = 2;

export interface PeerComparison {
  python?: string;
  torch?: string;
  threads: number;
  unavailable?: string;
  /** Peer workload name → best samples/s of each side. */
  native: Record<string, number>;
  pytorch: Record<string, number>;
  wasm: Record<string, number>;
  rounds: { native: Record<string, number>[]; pytorch: Record<string, number>[]; wasm: Record<string, number>[] };
}

export type Probe = (backend: 'native' | 'wasm', workloads: string[]) => Promise<ProbeFigures | { error: string }>;

export async function comparePeers(
  full: { native?: ProbeFigures; wasm?: ProbeFigures },
  probe: Probe,
  threads: number,
  seconds: number,
  say: (line: string) => void,
): Promise<PeerComparison> {
  const comparison: PeerComparison = { threads, native: {}, pytorch: {}, wasm: {}, rounds: { native: [], pytorch: [], wasm: [] } };
  const found = await findPeerPython();
  if ('unavailable' in found) return { ...comparison, unavailable: found.unavailable };
  if (!full.native) return { ...comparison, unavailable: 'the native backend is not available here' };
  const compared = full.native.workloads.filter((w) => w.peer && !w.error).map((w) => w.peer!);
  comparison.rounds.native.push(rates(full.native));
  if (full.wasm) comparison.rounds.wasm.push(rates(full.wasm));
  for (let r = 1; r <= ROUNDS; r++) {
    say(`PyTorch peer round ${r} of ${ROUNDS} (${found.python}, ${threads} threads)`);
    const peer: PeerFigures = await runPeer(found.python, compared, threads, seconds);
    comparison.python = peer.python;
    comparison.torch = peer.torch;
    comparison.rounds.pytorch.push(peer.samples_per_s);
    for (const backend of ['native', 'wasm'] as const) {
      if (backend === 'wasm' && !full.wasm) continue;
      say(`${backend} round ${r + 1} of ${ROUNDS + 1} of the same workloads`);
      const again = await probe(backend, compared);
      if (!('error' in again)) comparison.rounds[backend].push(rates(again));
    }
  }
  comparison.native = best(comparison.rounds.native);
  comparison.pytorch = best(comparison.rounds.pytorch);
  comparison.wasm = best(comparison.rounds.wasm);
  return comparison;
}

function rates(p: ProbeFigures): Record<string, number> {
  return Object.fromEntries(p.workloads.filter((w) => w.peer && !w.error).map((w) => [w.peer!, w.samples_per_s]));
}

function best(rounds: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const round of rounds) for (const [k, v] of Object.entries(round)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}
