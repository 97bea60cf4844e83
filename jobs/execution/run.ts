import { mkdirSync } from 'node:fs';
import type { ObjectStore } from '../../kernel/storage/object-store';
import { childUrl, parseObsUrl } from '../../kernel/storage/obs-url';
import type { ExitInfo } from '../../kernel/process/supervise';
import type { ComputeConfig } from '../../kernel/config';
import { log } from '../../kernel/log';
import { dropLogged } from '../../kernel/util/drop';
import { JobRecord, JobStatus, JobVersion, RunStage, TaskStatus, findVersion } from '../job-record';
import { endLine } from '../../kernel/end-line';
import { durationUntil } from '../state-machine';
import { jobFiles } from './job-files';
import { TaskLogs } from './task-logs';
import { AbnormalEnd, type Execution, type NodeExecutor, type RunReport } from '../nodes/executor';
import { taskName } from '../nodes/node-contract';
import { failureReason } from '../nodes/node-preparation';
import { failureSummary, type WorkerOutcome } from '../nodes/worker-set';
import type { ObsAccess } from '../../kernel/storage/obs-env';
import { LogBook } from './log-book';
import { MetricsSink, MetricPoint } from './metrics';

/** A change to one version; `to` moves it through the state machine (at `at`, default now). */
export interface VersionChange {
  to?: JobStatus;
  at?: Date;
  mutate?: (v: JobVersion, job: JobRecord) => void;
}

export interface RunDeps {
  dataDir: string;
  store: ObjectStore;
  obs: ObsAccess;
  /** What runs the nodes (local processes by default, or a cluster). */
  executor: NodeExecutor;
  /** The platform's compute settings, which boot files use too. */
  compute: ComputeConfig;
  maxLogBytes: number;
  stopGraceMs: number;
  /** The PYTHON setting, if any. */
  python?: string;
  /** Persists a change to the job; `to` moves the version through the state machine. */
  update(jobId: string, version: string, change: VersionChange): Promise<JobRecord>;
}

const FAILURE_LOG_LINES = 10;
const METRIC_SAVE_INTERVAL_MS = 1000;

/**
 * One execution of a job version: its nodes run by the executor (workspace, downloads, the
 * boot file, uploads, wherever the nodes are), and the version's record, logs and metrics kept
 * here until it ends in a final status with a readable reason.
 */
export class Run {
  private books?: { logs: TaskLogs; metrics: MetricsSink };
  private execution?: Execution;
  private exit?: ExitInfo;
  private outcome?: WorkerOutcome;
  private stopRequested = false;
  private stopReason = 'stopped by the user';
  private killTimer?: NodeJS.Timeout;
  private lastMetricSave = 0;

  constructor(
    private job: JobRecord,
    readonly version: string,
    private readonly deps: RunDeps,
  ) {}

  /**
   * Opens the version's log and metrics files (at once, so that whoever follows the run from
   * now on finds its logs), then runs to a final status; never throws.
   */
  start(): Promise<void> {
    const files = jobFiles(this.deps.dataDir, this.job.id, this.version);
    mkdirSync(files.dir, { recursive: true });
    const tasks = Array.from({ length: this.job.resource.node_count }, (_, i) => taskName(i));
    this.books = {
      logs: new TaskLogs(new LogBook(files.log, this.deps.maxLogBytes), tasks, files.taskLog, this.deps.maxLogBytes),
      metrics: new MetricsSink(files.metrics, (p) => void this.saveMetrics(p, false)),
    };
    return this.execute();
  }

  /** The logs of the version and of each of its workers; there from start() on. */
  get logs(): TaskLogs {
    return this.opened().logs;
  }

  private get metrics(): MetricsSink {
    return this.opened().metrics;
  }

  private opened(): { logs: TaskLogs; metrics: MetricsSink } {
    if (!this.books) throw new Error(`the run of training job ${this.job.name} ${this.version} has not started`);
    return this.books;
  }

  private async execute(): Promise<void> {
    let final: { to: JobStatus; reason?: string; exit?: ExitInfo };
    try {
      final = await this.stages();
    } catch (err) {
      final = { to: err instanceof AbnormalEnd ? 'Abnormal' : 'Failed', reason: failureReason(err), exit: this.exit };
    }
    // A stop always ends as Terminated, even when the process exited by itself meanwhile.
    if (this.stopRequested) final = { to: 'Terminated', reason: this.stopReason, exit: final.exit };
    clearTimeout(this.killTimer);
    // Only the record can fail here (a full disk, say); it is left as it was and a restart makes it Abnormal.
    await this.finish(final).catch((err) => log.error(`training job ${this.job.name} ${this.version} ended ${final.to} but could not be recorded`, err));
  }

  private async stages(): Promise<{ to: JobStatus; reason?: string; exit?: ExitInfo }> {
    const { obs, compute, python, stopGraceMs } = this.deps;
    const execution = this.deps.executor.execute({ job: this.job, version: this.currentVersion(), obs, compute, python, stopGraceMs }, this.report());
    this.execution = execution;
    if (this.stopRequested) this.signalStop();
    const outcome = await execution.done.finally(() => (this.execution = undefined));
    if (!outcome.failed) return { to: 'Completed', exit: outcome.exit };
    const last = (this.logs.of(outcome.failed.task) ?? this.logs.job).lastLines(FAILURE_LOG_LINES);
    const reason = failureSummary(outcome, this.job.resource.node_count);
    // A worker whose node was lost did not fail by itself: the version is Abnormal, as ModelArts says of a job its platform lost.
    return { to: outcome.failed.exit.lost ? 'Abnormal' : 'Failed', exit: outcome.exit, reason: `${reason}${last.length ? `\nlast log lines:\n${last.join('\n')}` : ''}` };
  }

  /** How the executor's news reach the record and the logs. */
  private report(): RunReport {
    const record = (mutate: (v: JobVersion) => void) => this.deps.update(this.job.id, this.version, { mutate }).then((job) => void (this.job = job));
    return {
      stage: (stage) => this.setStage(stage, stage === 'downloading' ? 'Running' : undefined),
      note: (line) => this.logs.note(line),
      noteFor: (task, line) => this.logs.noteFor(task, line),
      output: (task) => this.logs.writer(task),
      metrics: (chunk) => this.metrics.feed(chunk),
      prefetched: (found) => record((v) => (v.prefetched = found)),
      placed: (placement) => record((v) => (v.cluster = placement)),
      started: async (tasks, workDir) => {
        if (tasks.length > 1) this.logs.note(`${tasks.length} workers: ${tasks.map((t) => `${t.task} on ${t.node ? `${t.node} (${t.host})` : t.host}`).join(', ')}`);
        await record((v) => {
          v.pids = tasks.map((t) => t.pid ?? -1);
          v.tasks = tasks;
          v.work_dir = workDir;
        });
      },
      exited: (outcome) => {
        this.exit = outcome.exit;
        this.outcome = outcome;
        const several = this.job.resource.node_count > 1;
        for (const w of outcome.workers) this.logs.note(`${several ? `${w.task}: ` : ''}${w.exit.lost ? `was lost: ${w.exit.reason}` : `boot file ${w.exit.reason}`}`);
      },
    };
  }

  /** Stop: SIGTERM now, SIGKILL after the grace period. */
  async requestStop(reason = 'stopped by the user'): Promise<void> {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.stopReason = reason;
    if (this.currentVersion().status === 'Running') {
      await this.deps.update(this.job.id, this.version, { to: 'Terminating' });
    }
    if (this.execution) this.signalStop();
  }

  private signalStop(): void {
    this.logs.note(`stop requested: sending SIGTERM, SIGKILL after ${this.deps.stopGraceMs} ms`);
    this.execution?.signal('SIGTERM');
    this.killTimer = setTimeout(() => this.execution?.signal('SIGKILL'), this.deps.stopGraceMs);
  }

  private async setStage(stage: RunStage, to?: JobStatus): Promise<void> {
    this.logs.note(`${stage}`);
    this.job = await this.deps.update(this.job.id, this.version, {
      to,
      mutate: (v) => {
        if (v.status === 'Running') v.stage = stage;
      },
    });
  }

  private currentVersion(): JobVersion {
    return findVersion(this.job, this.version)!;
  }

  private async saveMetrics(point: MetricPoint | undefined, force: boolean): Promise<void> {
    const now = Date.now();
    if (!force && now - this.lastMetricSave < METRIC_SAVE_INTERVAL_MS) return;
    this.lastMetricSave = now;
    const count = this.metrics.points;
    const noted = this.deps.update(this.job.id, this.version, {
      mutate: (v) => {
        v.metric_count = count;
        if (point) v.last_metrics = point;
      },
    });
    await dropLogged(noted, `noting the metrics of job ${this.job.id} ${this.version}`);
  }

  /**
   * The log's last line names the final status, the uploaded log ends with it, and the
   * record says that status before any follower's stream ends: whoever follows a version
   * to its end and then reads the record (an import, say) finds it finished.
   */
  private async finish(final: { to: JobStatus; reason?: string; exit?: ExitInfo }): Promise<void> {
    const at = new Date();
    this.logs.note(endLine({ status: final.to, duration_ms: durationUntil(this.currentVersion(), at), reason: final.reason }));
    try {
      await this.metrics.close();
      await this.logs.close().catch((err) => log.warn(`the log of ${this.job.name} ${this.version} could not be written`, err));
      await this.uploadLog().catch((err) => log.warn(`the log of ${this.job.name} ${this.version} could not be uploaded: ${failureReason(err)}`));
      await this.deps.update(this.job.id, this.version, {
        to: final.to,
        at,
        mutate: (v) => {
          v.reason = final.reason;
          v.exit_code = final.exit?.code ?? v.exit_code;
          v.signal = final.exit?.signal ?? v.signal;
          if (this.outcome) v.tasks = taskStatuses(v.tasks, this.outcome);
          v.log_bytes = this.logs.job.size;
          v.log_truncated_bytes = this.logs.job.truncatedBytes;
          v.metric_count = this.metrics.points;
          if (this.metrics.last) v.last_metrics = this.metrics.last;
        },
      });
    } finally {
      this.logs.end();
    }
  }

  private async uploadLog(): Promise<void> {
    const out = this.currentVersion().output_urls[0];
    if (!out) return;
    const url = childUrl(parseObsUrl(out.url), `logs/${this.job.name}-${this.version}.log`);
    await this.deps.store.put(url, this.logs.job.content(), 'text/plain; charset=utf-8');
  }
}

/** Each task's record with how its worker ended (stopped ones say so). */
function taskStatuses(tasks: TaskStatus[] | undefined, outcome: WorkerOutcome): TaskStatus[] {
  return (tasks ?? []).map((t) => {
    const w = outcome.workers.find((x) => x.task === t.task);
    if (!w) return t;
    const stopped = outcome.stopped.includes(t.task) ? ` (stopped because ${outcome.failed?.task} ${outcome.failed?.exit.lost ? 'was lost' : 'failed'})` : '';
    return { ...t, exit_code: w.exit.code, signal: w.exit.signal, reason: `${w.exit.reason}${stopped}` };
  });
}
