import { JobRecord } from './job-record';
import { dropLogged } from '../kernel/util/drop';
import { Run, RunDeps } from './execution/run';

interface QueueEntry {
  jobId: string;
  version: string;
}

/**
 * Runs at most `maxConcurrent` job versions at once; the others wait, first come
 * first served, as Pending.
 */
export class Scheduler {
  private readonly queue: QueueEntry[] = [];
  private readonly running = new Map<string, { run: Run; done: Promise<void> }>();
  /** Who waits for a queued version to start (log followers). */
  private readonly waiting = new Map<string, ((run: Run | undefined) => void)[]>();
  private stopped = false;

  constructor(
    private readonly maxConcurrent: number,
    private readonly deps: RunDeps,
    private readonly loadJob: (id: string) => JobRecord | undefined,
  ) {}

  enqueue(jobId: string, version: string): void {
    this.queue.push({ jobId, version });
    this.pump();
  }

  /** Removes a version that has not started yet; false when it is not waiting. */
  dequeue(jobId: string, version: string): boolean {
    const i = this.queue.findIndex((e) => e.jobId === jobId && e.version === version);
    if (i === -1) return false;
    this.queue.splice(i, 1);
    this.wake(key(jobId, version), undefined);
    return true;
  }

  /** The version's run once it has started; undefined when it is not running or queued, or never starts. */
  started(jobId: string, version: string): Promise<Run | undefined> {
    const k = key(jobId, version);
    const active = this.running.get(k);
    if (active) return Promise.resolve(active.run);
    if (!this.queue.some((e) => key(e.jobId, e.version) === k)) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiting.set(k, [...(this.waiting.get(k) ?? []), resolve]));
  }

  private wake(k: string, run: Run | undefined): void {
    for (const resolve of this.waiting.get(k) ?? []) resolve(run);
    this.waiting.delete(k);
  }

  active(jobId: string, version: string): { run: Run; done: Promise<void> } | undefined {
    return this.running.get(key(jobId, version));
  }

  get runningCount(): number {
    return this.running.size;
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.maxConcurrent && this.queue.length) {
      const entry = this.queue.shift()!;
      const k = key(entry.jobId, entry.version);
      const job = this.loadJob(entry.jobId);
      if (!job) {
        this.wake(k, undefined);
        continue;
      }
      const run = new Run(job, entry.version, this.deps);
      const done = run.start().finally(() => {
        this.running.delete(k);
        this.pump();
      });
      this.running.set(k, { run, done });
      this.wake(k, run);
    }
  }

  /** Platform shutdown: stop everything running and wait for it. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    for (const k of [...this.waiting.keys()]) this.wake(k, undefined);
    const all = [...this.running.entries()];
    await Promise.all(all.map(([k, r]) => dropLogged(r.run.requestStop('the platform was shut down'), `stopping the run ${k} at shutdown`)));
    await Promise.all(all.map(([, r]) => r.done));
  }
}

function key(jobId: string, version: string): string {
  return `${jobId}/${version}`;
}
