import { formatObsUrl, type ObsUrl } from '../../kernel/storage/obs-url';
import type { BatchInput, InputList } from './batch-inputs';
import type { BatchProgress } from './batch-record';
import type { JournalEntry } from './task-journal';

export type Outcome = { ok: true; answer?: string } | { ok: false; error: string };

/** How far inputs are reserved ahead of the ones being sent (one journal flush per step). */
export const RESERVE_STEP = 256;

/**
 * A batch task's state as its journal says it: each input's outcome, the CSV tables whose
 * result file is written, how far inputs may have been sent — and the manifest lines, in
 * the order the journal gives them.
 */
export class TaskState {
  readonly outcomes = new Map<number, Outcome>();
  readonly tablesWritten = new Set<number>();
  /** Rows of each table that have an outcome. */
  readonly rowsDone: number[];
  reserved = 0;
  failed = 0;

  constructor(
    readonly list: InputList,
    private readonly results: ObsUrl,
  ) {
    this.rowsDone = list.tables.map(() => 0);
  }

  /** Applies one journal entry; returns the manifest lines it releases. */
  apply(entry: JournalEntry): Record<string, unknown>[] {
    if ('reserve' in entry) {
      this.reserved = Math.max(this.reserved, entry.reserve);
      return [];
    }
    if ('table' in entry) {
      if (this.tablesWritten.has(entry.table)) return [];
      this.tablesWritten.add(entry.table);
      const t = this.list.tables[entry.table];
      return Array.from({ length: t.rows }, (_, r) => this.line(t.first + r));
    }
    if (this.outcomes.has(entry.i)) return [];
    this.outcomes.set(entry.i, entry.ok ? { ok: true, ...(entry.answer !== undefined && { answer: entry.answer }) } : { ok: false, error: entry.error });
    if (!entry.ok) this.failed++;
    const input = this.list.inputs[entry.i];
    if (input.table !== undefined) {
      this.rowsDone[input.table]++;
      return [];
    }
    return [this.line(entry.i)];
  }

  get progress(): BatchProgress {
    return { total: this.list.inputs.length, done: this.outcomes.size, failed: this.failed };
  }

  /** Inputs still to send, in order. */
  pending(): number[] {
    return this.list.inputs.map((_, i) => i).filter((i) => !this.outcomes.has(i));
  }

  tableComplete(t: number): boolean {
    return this.rowsDone[t] === this.list.tables[t].rows;
  }

  resultUrl(input: BatchInput): ObsUrl {
    return { bucket: this.results.bucket, key: this.results.key + input.result };
  }

  /** A table's result file: a line per row in row order, its answer or {"error_message": …}. */
  tableText(t: number): string {
    const table = this.list.tables[t];
    const lines = Array.from({ length: table.rows }, (_, r) => {
      const o = this.outcomes.get(table.first + r)!;
      return o.ok ? (o.answer ?? '').replace(/\r?\n/g, ' ') : JSON.stringify({ error_message: o.error });
    });
    return lines.length ? `${lines.join('\n')}\n` : '';
  }

  /** The manifest line of input i, as ModelArts writes it (a CSV row also says which row). */
  private line(i: number): Record<string, unknown> {
    const input = this.list.inputs[i];
    const o = this.outcomes.get(i)!;
    const row = input.row !== undefined ? { row: input.row } : {};
    if (!o.ok) return { source: input.source, ...row, result: 'FAILED', error_message: o.error };
    return { source: input.source, ...row, result: 'SUCCESSFUL', 'inference-loc': formatObsUrl(this.resultUrl(input)) };
  }
}
