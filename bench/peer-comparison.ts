/**
 * Native against PyTorch, measured side by side: the workloads both run, alternately
 * in rounds (a native probe, then the peer, twice), each side keeping its best round,
 * so that other work on the machine disturbs both alike and least. The full native
 * probe of the same run counts as one more native round.
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
  rounds: { native: Record<string, number>[]; pytorch: Record<string, number>[] };
}

export type NativeProbe = (workloads: string[]) => Promise<ProbeFigures | { error: string }>;

export async function comparePeers(
  fullNative: ProbeFigures | undefined,
  probe: NativeProbe,
  threads: number,
  seconds: number,
  say: (line: string) => void,
): Promise<PeerComparison> {
  const comparison: PeerComparison = { threads, native: {}, pytorch: {}, rounds: { native: [], pytorch: [] } };
  const found = await findPeerPython();
  if ('unavailable' in found) return { ...comparison, unavailable: found.unavailable };
  if (!fullNative) return { ...comparison, unavailable: 'the native backend is not available here' };
  const compared = fullNative.workloads.filter((w) => w.peer && !w.error);
  comparison.rounds.native.push(rates(fullNative));
  for (let r = 1; r <= ROUNDS; r++) {
    say(`PyTorch peer round ${r} of ${ROUNDS} (${found.python}, ${threads} threads)`);
    const peer: PeerFigures = await runPeer(found.python, compared.map((w) => w.peer!), threads, seconds);
    comparison.python = peer.python;
    comparison.torch = peer.torch;
    comparison.rounds.pytorch.push(peer.samples_per_s);
    say(`native round ${r + 1} of ${ROUNDS + 1} of the same workloads`);
    const again = await probe(compared.map((w) => w.peer!));
    if (!('error' in again)) comparison.rounds.native.push(rates(again));
  }
  comparison.native = best(comparison.rounds.native);
  comparison.pytorch = best(comparison.rounds.pytorch);
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
