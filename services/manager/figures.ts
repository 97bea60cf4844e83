import type { LatencySummary } from '../instance/protocol';

interface Counts {
  requests: number;
  failures: number;
  mismatches: number;
}

/**
 * A service's request counts: what earlier runs recorded, what retired instances
 * counted, and what each live instance reports now.
 */
export class Figures {
  private readonly retired: Counts = { requests: 0, failures: 0, mismatches: 0 };
  private readonly live = new Map<string, Counts & { latency?: LatencySummary }>();
  private latency?: LatencySummary;
  private changed = false;

  constructor(private readonly base: Counts) {}

  update(instanceId: string, stats: Counts & { latency?: LatencySummary }): void {
    this.live.set(instanceId, stats);
    if (stats.latency) this.latency = stats.latency;
    this.changed = true;
  }

  retire(instanceId: string): void {
    const last = this.live.get(instanceId);
    if (!last) return;
    this.retired.requests += last.requests;
    this.retired.failures += last.failures;
    this.retired.mismatches += last.mismatches;
    this.live.delete(instanceId);
  }

  takeChanged(): boolean {
    const was = this.changed;
    this.changed = false;
    return was;
  }

  summary(): { request_count: number; failure_count: number; schema_mismatch_count: number; latency_ms?: LatencySummary } {
    const sum = (k: keyof Counts) => this.base[k] + this.retired[k] + [...this.live.values()].reduce((n, c) => n + c[k], 0);
    return { request_count: sum('requests'), failure_count: sum('failures'), schema_mismatch_count: sum('mismatches'), latency_ms: this.latency };
  }
}
