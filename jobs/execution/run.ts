import fs from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { ObjectStore } from '../../kernel/storage/object-store';
import { childUrl, parseObsUrl } from '../../kernel/storage/obs-url';
import { StorageError } from '../../kernel/storage/storage-error';
import { linkRuntimeModules } from '../../compute/runtime-modules';
import { ExitInfo } from '../../kernel/process/supervise';
import type { ComputeConfig } from '../../kernel/config';
import { log } from '../../kernel/log';
import { dropLogged, ifExists } from '../../kernel/util/drop';
import { JobRecord, JobStatus, JobVersion, RunStage, TaskStatus, findVersion } from '../job-record';
import { endLine } from '../../kernel/end-line';
import { durationUntil } from '../state-machine';
import { jobFiles } from './job-files';
import { launch, Launched } from './launch';
import { TaskLogs } from './task-logs';
import type { NodeExecutor } from '../nodes/executor';
import { taskName } from '../nodes/node-contract';
import { failureSummary, type WorkerOutcome } from '../nodes/worker-set';
import type { ObsAccess } from '../../kernel/storage/obs-env';
import { checkModules } from './python-modules';
import { choosePython } from '../../kernel/process/python';
import { LogBook } from './log-book';
import { MetricsSink, MetricPoint } from './metrics';
import { createWorkspace, downloadSources, removeWorkspace, workspaceFor, Workspace } from './workspace';
import { prefetchOutputs } from './prefetch';

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
  /** What runs the nodes (local processes by default). */
  executor: NodeExecutor;
  /** The platform's compute settings, which boot files use too. */
  compute: ComputeConfig;
  maxLogBytes: number;
  stopGraceMs: number;
  runtimeModules: string;
  /** The PYTHON setting, if any. */
  python?: string;
  /** Persists a change to the job; `to` moves the version through the state machine. */
  update(jobId: string, version: string, change: VersionChange): Promise<JobRecord>;
}

const FAILURE_LOG_LINES = 10;
const METRIC_SAVE_INTERVAL_MS = 1000;

/**
 * One execution of a job version: download code and inputs, run the boot file,
 * upload outputs and the log, and end in a final status with a readable reason.
 */
export class Run {
  private books?: { logs: TaskLogs; metrics: MetricsSink };
  private readonly ws: Workspace;
  private launched?: Launched;
  private exit?: ExitInfo;
  private outcome?: WorkerOutcome;
  private stopRequested = false;
  private stopReason = 'stopped by the user';
  private killTimer?: NodeJS.Timeout;
  private lastMetricSave = 0;

  constructor(private job: JobRecord, readonly version: string, private readonly deps: RunDeps) {
    this.ws = workspaceFor(deps.dataDir, job, version);
  }

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
      final = { to: 'Failed', reason: failureReason(err), exit: this.exit };
    }
    // A stop always ends as Terminated, even when the process exited by itself meanwhile.
    if (this.stopRequested) final = { to: 'Terminated', reason: this.stopReason, exit: final.exit };
    clearTimeout(this.killTimer);
    // Only the record can fail here (a full disk, say); it is left as it was and a restart makes it Abnormal.
    await this.finish(final).catch((err) => log.error(`training job ${this.job.name} ${this.version} ended ${final.to} but could not be recorded`, err));
  }

  private async stages(): Promise<{ to: JobStatus; reason?: string; exit?: ExitInfo }> {
    await this.setStage('downloading', 'Running');
    await createWorkspace(this.ws);
    const got = await downloadSources(this.deps.store, this.job, this.ws);
    this.logs.note(`downloaded code and inputs: ${got.files} files, ${got.bytes} bytes`);
    await this.prefetch();
    await this.checkBootFile();
    if (this.job.algorithm.engine !== 'python') await linkRuntimeModules(this.ws.root, this.deps.runtimeModules);
    if (this.stopRequested) return { to: 'Terminated' };
    await this.setStage('running');
    const outcome = await this.runProcesses();
    await this.setStage('uploading');
    await this.uploadOutputs();
    if (!outcome.failed) return { to: 'Completed', exit: outcome.exit };
    const last = (this.logs.of(outcome.failed.task) ?? this.logs.job).lastLines(FAILURE_LOG_LINES);
    const reason = failureSummary(outcome, this.job.resource.node_count);
    return { to: 'Failed', exit: outcome.exit, reason: `${reason}${last.length ? `\nlast log lines:\n${last.join('\n')}` : ''}` };
  }

  private async prefetch(): Promise<void> {
    const prefetched = await prefetchOutputs(this.deps.store, this.job, this.currentVersion(), this.ws);
    if (!prefetched.length) return;
    for (const p of prefetched) {
      this.logs.note(
        p.from
          ? `prefetched output ${p.name} from ${p.from}: ${p.files} files, ${p.bytes} bytes`
          : `prefetch of output ${p.name}: no earlier version left outputs; starting empty`,
      );
    }
    this.job = await this.deps.update(this.job.id, this.version, { mutate: (v) => (v.prefetched = prefetched) });
  }

  private async checkBootFile(): Promise<void> {
    const boot = `${this.ws.code}/${this.job.algorithm.boot_file}`;
    const stat = await ifExists(fs.stat(boot));
    if (!stat?.isFile()) throw new Error(`boot file ${this.job.algorithm.boot_file} is not in ${this.job.algorithm.code_dir}`);
  }

  private async python(): Promise<string> {
    const chosen = await choosePython(this.deps.python);
    this.logs.note(`python: ${chosen.executable} (Python ${chosen.version})`);
    for (const line of await checkModules(chosen.command)) this.logs.note(line);
    return chosen.command;
  }

  private async runProcesses(): Promise<WorkerOutcome> {
    const version = this.currentVersion();
    const python = this.job.algorithm.engine === 'python' ? await this.python() : undefined;
    const { obs, compute, executor, stopGraceMs } = this.deps;
    const launched = await launch({ job: this.job, version, ws: this.ws, obs, compute, python, executor, stopGraceMs }, this.logs, this.metrics);
    this.launched = launched;
    if (launched.tasks.length > 1) this.logs.note(`${launched.tasks.length} workers: ${launched.tasks.map((t) => `${t.task} on ${t.host}`).join(', ')}`);
    await this.deps.update(this.job.id, this.version, {
      mutate: (v) => {
        v.pids = launched.tasks.map((t) => t.pid ?? -1);
        v.tasks = launched.tasks;
        v.work_dir = this.ws.root;
      },
    });
    if (this.stopRequested) this.signalStop();
    const outcome = await launched.done;
    this.exit = outcome.exit;
    this.outcome = outcome;
    this.launched = undefined;
    for (const w of outcome.workers) this.logs.note(`${launched.tasks.length > 1 ? `${w.task}: ` : ''}boot file ${w.exit.reason}`);
    return outcome;
  }

  private async uploadOutputs(): Promise<void> {
    for (const out of this.currentVersion().output_urls.filter((o) => this.ws.outputs[o.name])) {
      try {
        const sent = await this.deps.store.uploadDir(this.ws.outputs[out.name], parseObsUrl(out.url));
        this.logs.note(`uploaded ${out.name}: ${sent.files} files, ${sent.bytes} bytes to ${out.url}`);
      } catch (err) {
        throw new Error(`the outputs could not be uploaded to ${out.url}: ${failureReason(err)}`, { cause: err });
      }
    }
  }

  /** Stop: SIGTERM now, SIGKILL after the grace period. */
  async requestStop(reason = 'stopped by the user'): Promise<void> {
    if (this.stopRequested) return;
    this.stopRequested = true;
    this.stopReason = reason;
    if (this.currentVersion().status === 'Running') {
      await this.deps.update(this.job.id, this.version, { to: 'Terminating' });
    }
    if (this.launched) this.signalStop();
  }

  private signalStop(): void {
    this.logs.note(`stop requested: sending SIGTERM, SIGKILL after ${this.deps.stopGraceMs} ms`);
    this.launched?.signal('SIGTERM');
    this.killTimer = setTimeout(() => this.launched?.signal('SIGKILL'), this.deps.stopGraceMs);
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
    await dropLogged(removeWorkspace(this.ws), `removing the work dir of job ${this.job.id} ${this.version}`);
  }

  private async uploadLog(): Promise<void> {
    const out = this.currentVersion().output_urls[0];
    if (!out) return;
    const url = childUrl(parseObsUrl(out.url), `logs/${this.job.name}-${this.version}.log`);
    await this.deps.store.put(url, this.logs.job.content(), 'text/plain; charset=utf-8');
  }
}

function failureReason(err: unknown): string {
  if (err instanceof StorageError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/** Each task's record with how its worker ended (stopped ones say so). */
function taskStatuses(tasks: TaskStatus[] | undefined, outcome: WorkerOutcome): TaskStatus[] {
  return (tasks ?? []).map((t) => {
    const w = outcome.workers.find((x) => x.task === t.task);
    if (!w) return t;
    const stopped = outcome.stopped.includes(t.task) ? ` (stopped because ${outcome.failed?.task} failed)` : '';
    return { ...t, exit_code: w.exit.code, signal: w.exit.signal, reason: `${w.exit.reason}${stopped}` };
  });
}
