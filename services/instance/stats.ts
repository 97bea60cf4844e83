import type { LatencySummary } from './protocol';

const WINDOW = 2048;

/** Request counts and a sliding window of latencies, cheap enough for every request. */
export class Stats {
  requests = 0;
  failures = 0;
  mismatches = 0;
  private readonly window = new Float64Array(WINDOW);
  private filled = 0;
  private next = 0;
  private changed = false;

  record(ms: number, failed: boolean): void {
    this.requests++;
    if (failed) this.failures++;
    this.window[this.next] = ms;
    this.next = (this.next + 1) % WINDOW;
    if (this.filled < WINDOW) this.filled++;
    this.changed = true;
  }

  mismatch(): void {
    this.mismatches++;
    this.changed = true;
  }

  /** A summary when something changed since the last call. */
  take(): { requests: number; failures: number; mismatches: number; latency?: LatencySummary } | undefined {
    if (!this.changed) return undefined;
    this.changed = false;
    return { requests: this.requests, failures: this.failures, mismatches: this.mismatches, latency: this.latency() };
  }

  private latency(): LatencySummary | undefined {
    if (!this.filled) return undefined;
    const sorted = Array.from(this.window.subarray(0, this.filled)).sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    const round = (v: number) => Math.round(v * 100) / 100;
    return { p50: round(at(0.5)), p99: round(at(0.99)), mean: round(mean) };
  }
}
