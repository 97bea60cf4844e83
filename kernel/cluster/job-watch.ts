/**
 * One squeue for every job the platform watches, twice a second while any is watched: each
 * watcher hears its job's state when it changes, and once the job has ended (or Slurm no
 * longer knows it) the watch ends by itself.
 */
import { log } from '../log';
import { ACTIVE_STATES, type SlurmJob } from './slurm';

export const POLL_INTERVAL_MS = 500;
/** Polls a job may be missing from squeue right after sbatch before it counts as gone. */
const MISSING_POLLS = 6;
/** A failing squeue is said once in this many polls, not twice a second. */
const COMPLAIN_EVERY = 20;

type Listener = (job: SlurmJob) => void;

interface Watch {
  listener: Listener;
  last?: string;
  missing: number;
}

export class JobWatch {
  private readonly watches = new Map<string, Watch>();
  private timer?: NodeJS.Timeout;
  private failures = 0;
  private polling = false;

  constructor(private readonly list: () => Promise<Map<string, SlurmJob>>) {}

  /** Tells `listener` the job's state at each change, up to and including its end. Returns the unwatch. */
  watch(id: string, listener: Listener): () => void {
    this.watches.set(id, { listener, missing: 0 });
    this.timer ??= setInterval(() => void this.poll(), POLL_INTERVAL_MS);
    return () => this.forget(id);
  }

  private forget(id: string): void {
    this.watches.delete(id);
    if (!this.watches.size && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const jobs = await this.list();
      this.failures = 0;
      for (const [id, w] of [...this.watches]) this.update(id, w, jobs.get(id));
    } catch (err) {
      if (this.failures++ % COMPLAIN_EVERY === 0) log.warn('squeue failed; the states of Slurm jobs are not known meanwhile', err);
    } finally {
      this.polling = false;
    }
  }

  private update(id: string, w: Watch, job: SlurmJob | undefined): void {
    if (!job) {
      if (++w.missing < MISSING_POLLS) return;
      job = { id, state: 'GONE', reason: 'Slurm no longer knows this job', nodes: '', exitCode: 0, exitSignal: 0 };
    }
    w.missing = 0;
    const said = `${job.state}|${job.reason}`;
    if (said !== w.last) {
      w.last = said;
      w.listener(job);
    }
    if (!ACTIVE_STATES.has(job.state)) this.forget(id);
  }
}
