import { JobRecord } from './job-record';
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
    return true;
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
      const job = this.loadJob(entry.jobId);
      if (!job) continue;
      const run = new Run(job, entry.version, this.deps);
      const done = run.execute().finally(() => {
        this.running.delete(key(entry.jobId, entry.version));
        this.pump();
      });
      this.running.set(key(entry.jobId, entry.version), { run, done });
    }
  }

  /** Platform shutdown: stop everything running and wait for it. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
    const all = [...this.running.values()];
    await Promise.all(all.map((r) => r.run.requestStop('the platform was shut down').catch(() => undefined)));
    await Promise.all(all.map((r) => r.done));
  }
}

function key(jobId: string, version: string): string {
  return `${jobId}/${version}`;
}
