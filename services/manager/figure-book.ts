import type { DocStore } from '../../kernel/records/doc-store';
import type { ServiceRecord } from '../service-record';
import { Figures } from './figures';
import { unlessGone, type UpdateRecord } from './record-updates';

const FIGURES_FLUSH_MS = 10_000;

/**
 * The request counts and latency of every service, as its instances report them: kept
 * live in memory, shown on reads, and written to the records every few seconds (and at
 * shutdown) rather than on every report.
 */
export class FigureBook {
  private readonly figures = new Map<string, Figures>();
  private flusher?: NodeJS.Timeout;

  constructor(
    private readonly records: DocStore<ServiceRecord>,
    private readonly update: UpdateRecord,
  ) {}

  /** Starts writing the figures to the records every FIGURES_FLUSH_MS. */
  start(): void {
    this.flusher ??= setInterval(() => void this.flush(), FIGURES_FLUSH_MS);
    this.flusher.unref();
  }

  of(id: string): Figures {
    let f = this.figures.get(id);
    if (!f) {
      const s = this.records.get(id);
      f = new Figures({ requests: s?.request_count ?? 0, failures: s?.failure_count ?? 0, mismatches: s?.schema_mismatch_count ?? 0 });
      this.figures.set(id, f);
    }
    return f;
  }

  /** The record with request counts and latency as the instances report them now. */
  withLive(s: ServiceRecord): ServiceRecord {
    const f = this.figures.get(s.id);
    return f ? { ...s, ...f.summary() } : s;
  }

  async flush(): Promise<void> {
    for (const [id, f] of this.figures) {
      if (!f.takeChanged() || !this.records.get(id)) continue;
      await this.update(id, (s) => Object.assign(s, f.summary())).catch(unlessGone(id));
    }
  }

  /** Stops the timer and writes what changed since the last flush. */
  async close(): Promise<void> {
    clearInterval(this.flusher);
    await this.flush();
  }
}
