import { LogBook } from './log-book';

/**
 * The logs of a version: the job's log (every worker's lines, each prefixed `[worker-<n>] ` when
 * there are several), and with several workers one log per worker (ModelArts' task logs).
 */
export class TaskLogs {
  private readonly perTask = new Map<string, LogBook>();

  constructor(
    readonly job: LogBook,
    tasks: string[],
    fileOf: (task: string) => string,
    maxBytes: number,
  ) {
    if (tasks.length > 1) for (const t of tasks) this.perTask.set(t, new LogBook(fileOf(t), maxBytes));
  }

  /** A task's own log; with one worker, the job's log is that worker's. */
  of(task: string): LogBook | undefined {
    return this.perTask.size ? this.perTask.get(task) : task === 'worker-0' ? this.job : undefined;
  }

  /** Where a worker's output goes. */
  writer(task: string): (chunk: Buffer) => void {
    const own = this.perTask.get(task);
    if (!own) return (chunk) => this.job.write(chunk);
    const toJob = prefixedLines(this.job, `[${task}] `);
    return (chunk) => {
      own.write(chunk);
      toJob(chunk);
    };
  }

  /** A line from the platform, in the job's log and every worker's. */
  note(message: string): void {
    this.job.note(message);
    for (const log of this.perTask.values()) log.note(message);
  }

  /** A line from the platform about one worker: in its log, and marked with its name in the job's. */
  noteFor(task: string, message: string): void {
    const own = this.perTask.get(task);
    if (!own) return this.job.note(message);
    own.note(message);
    this.job.note(`[${task}] ${message}`);
  }

  async close(): Promise<void> {
    await this.job.close();
    for (const log of this.perTask.values()) await log.close();
  }

  end(): void {
    this.job.end();
    for (const log of this.perTask.values()) log.end();
  }
}

/** Writes whole lines to `log`, each with `prefix`; a partial line waits for its end. */
function prefixedLines(log: LogBook, prefix: string): (chunk: Buffer) => void {
  let partial = '';
  return (chunk) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    if (lines.length) log.write(Buffer.from(lines.map((l) => prefix + l + '\n').join('')));
  };
}
