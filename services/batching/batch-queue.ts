/**
 * Dynamic batching as TF Serving's batch scheduler does it: tasks that can share a
 * model call (same key) collect in an open batch until it holds `maxBatchSize` rows or
 * `timeoutMs` has passed since its first task; closed batches run one at a time (the
 * model computes on this one thread), and batches of one key that wait behind a running
 * one are merged while they fit. A task never waits for more than its own batch.
 */
import { performance } from 'node:perf_hooks';
import { ApiError } from '../../kernel/errors';

export interface QueueSettings {
  /** Most rows in one model call. */
  maxBatchSize: number;
  /** How long a batch waits for more tasks once its first arrived; 0: until this turn of the event loop ends. */
  timeoutMs: number;
  /** Most batches waiting at once (open and closed); past it, tasks are refused with 503. */
  maxEnqueuedBatches: number;
}

export type Settled<O> = { ok: true; value: O } | { ok: false; error: unknown };

/** What one batch was: its rows, its tasks, and how long each task waited in the queue (ms). */
export interface BatchReport {
  rows: number;
  tasks: number;
  waitsMs: number[];
}

interface Task<I, O> {
  item: I;
  rows: number;
  enqueued: number;
  resolve(value: O): void;
  reject(error: unknown): void;
}

interface Batch<I, O> {
  key: string;
  tasks: Task<I, O>[];
  rows: number;
  timer?: NodeJS.Timeout | NodeJS.Immediate;
}

export class BatchQueue<I, O> {
  private readonly open = new Map<string, Batch<I, O>>();
  private readonly closed: Batch<I, O>[] = [];
  private running = false;

  constructor(
    private readonly settings: QueueSettings,
    /** Runs the items of one batch together; one answer (or error) per item, in order. */
    private readonly runBatch: (items: I[]) => Promise<Settled<O>[]>,
    private readonly onBatch?: (report: BatchReport) => void,
  ) {}

  submit(key: string, item: I, rows: number): Promise<O> {
    if (this.open.size + this.closed.length >= this.settings.maxEnqueuedBatches && !this.open.has(key)) {
      return Promise.reject(new ApiError('predict_unavailable', `the batch queue is full (${this.settings.maxEnqueuedBatches} batches wait); try again`));
    }
    return new Promise<O>((resolve, reject) => {
      let batch = this.open.get(key);
      if (batch && batch.rows + rows > this.settings.maxBatchSize) {
        this.close(batch);
        batch = undefined;
      }
      batch ??= this.openBatch(key);
      batch.tasks.push({ item, rows, enqueued: performance.now(), resolve, reject });
      batch.rows += rows;
      if (batch.rows >= this.settings.maxBatchSize) this.close(batch);
    });
  }

  private openBatch(key: string): Batch<I, O> {
    const batch: Batch<I, O> = { key, tasks: [], rows: 0 };
    const close = () => this.close(batch);
    batch.timer = this.settings.timeoutMs > 0 ? setTimeout(close, this.settings.timeoutMs) : setImmediate(close);
    this.open.set(key, batch);
    return batch;
  }

  private close(batch: Batch<I, O>): void {
    if (this.open.get(batch.key) !== batch) return;
    this.open.delete(batch.key);
    clearTimeout(batch.timer as NodeJS.Timeout);
    clearImmediate(batch.timer as NodeJS.Immediate);
    this.closed.push(batch);
    this.pump();
  }

  private pump(): void {
    if (this.running || !this.closed.length) return;
    const batch = this.takeMerged();
    this.running = true;
    void this.execute(batch).finally(() => {
      this.running = false;
      this.pump();
    });
  }

  /** The first closed batch, with the later ones of its key that still fit. */
  private takeMerged(): Batch<I, O> {
    const batch = this.closed.shift()!;
    for (let i = 0; i < this.closed.length; ) {
      const next = this.closed[i];
      if (next.key === batch.key && batch.rows + next.rows <= this.settings.maxBatchSize) {
        batch.tasks.push(...next.tasks);
        batch.rows += next.rows;
        this.closed.splice(i, 1);
      } else {
        i++;
      }
    }
    return batch;
  }

  private async execute(batch: Batch<I, O>): Promise<void> {
    const started = performance.now();
    this.onBatch?.({ rows: batch.rows, tasks: batch.tasks.length, waitsMs: batch.tasks.map((t) => started - t.enqueued) });
    let results: Settled<O>[];
    try {
      results = await this.runBatch(batch.tasks.map((t) => t.item));
    } catch (error) {
      results = batch.tasks.map(() => ({ ok: false, error }));
    }
    batch.tasks.forEach((task, i) => {
      const r = results[i];
      if (r?.ok) task.resolve(r.value);
      else task.reject(r ? r.error : new Error('the batch gave no answer for this request'));
    });
  }
}
