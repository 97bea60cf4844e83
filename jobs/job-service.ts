import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isErrno } from '@modelarts-local/durable';
import { ApiError, notFound } from '../kernel/errors';
import { log } from '../kernel/log';
import type { PlatformContext } from '../kernel/context';
import { DocStore } from '../kernel/records/doc-store';
import { childUrl, parseObsUrl, asFolder, keyProblem, ObsUrl } from '../kernel/storage/obs-url';
import { registerJobMetrics } from './job-metrics';
import { findVersion, JobRecord, JobVersion, latestVersion, Parameter, versionName } from './job-record';
import { JobSpec, parseCreateRequest, parseVersionRequest } from './job-request';
import { ACTIVE, isTerminal, jobStateMachine, withTerminal } from './state-machine';
import { Scheduler } from './scheduler';
import { RunDeps, VersionChange } from './execution/run';
import { jobDir, jobFiles } from './execution/job-files';
import { readStoredLog } from './execution/log-book';
import { MetricPoint, readMetrics } from './execution/metrics';
import { recoverJobs } from './recovery';
import type { NodeExecutor } from './nodes/executor';
import { checkOutputsFree } from './output-guard';
import { taskNames } from './nodes/node-contract';

export interface ListQuery {
  status?: string;
  offset: number;
  limit: number;
}

/** The most jobs one page of GET /training-jobs lists. */
export const MAX_PAGE_SIZE = 100;

/** Everything the training-jobs API does, in terms of records, the scheduler and OBS. */
export class JobService {
  readonly records: DocStore<JobRecord>;
  private readonly scheduler: Scheduler;
  /** Every status change of a version goes through it; the job metrics listen to it. */
  private readonly states = jobStateMachine();

  /** `executor` runs the versions' nodes: this machine's processes, or a cluster's (platform/areas.ts chooses). */
  constructor(
    private readonly p: PlatformContext,
    private readonly executor: NodeExecutor,
    maxConcurrentJobs = p.config.maxConcurrentJobs,
  ) {
    this.records = new DocStore<JobRecord>(`${p.config.dataDir}/meta`, 'training-jobs');
    const deps: RunDeps = {
      dataDir: p.config.dataDir,
      store: p.store,
      obs: { ...p.config.obs, endpoint: p.storageEndpoint },
      executor,
      compute: p.config.compute,
      maxLogBytes: p.config.maxLogBytes,
      stopGraceMs: p.config.stopGraceMs,
      python: p.config.python,
      update: (jobId, version, change) => this.updateVersion(jobId, version, change),
    };
    this.scheduler = new Scheduler(maxConcurrentJobs, deps, (id) => this.records.get(id));
  }

  async start(): Promise<void> {
    registerJobMetrics(this.p.metrics.registry, () => this.records.list(), this.states);
    await this.records.load();
    const pending = await recoverJobs(this.records, this.p.config.dataDir, (v) => this.executor.abandon(v), this.states);
    for (const { jobId, version } of pending) this.scheduler.enqueue(jobId, version);
  }

  /** Platform shutdown: running versions are stopped and end as Terminated. */
  async shutdown(): Promise<void> {
    await this.scheduler.shutdown();
  }

  async create(body: unknown): Promise<JobRecord> {
    const spec = parseCreateRequest(body, this.p.schemas);
    await this.checkSources(spec);
    const now = new Date().toISOString();
    const first = newVersion(spec, 1, spec.algorithm.parameters, spec.description, now);
    const record: JobRecord = {
      id: crypto.randomUUID(),
      name: spec.name,
      description: spec.description,
      algorithm: spec.algorithm,
      inputs: spec.inputs,
      outputs: spec.outputs,
      resource: spec.resource,
      ...(spec.versioned_outputs === false ? { versioned_outputs: false as const } : {}),
      created_at: now,
      version: versionName(1),
      status: 'Creating',
      versions: [first],
    };
    if (!spec.overwrite_outputs) {
      await checkOutputsFree({ jobId: record.id, jobName: record.name, version: first.version, outputs: first.output_urls }, this.records.list(), this.p.store);
    }
    const result = await this.records.createUnique(record, (j) => j.name === spec.name);
    if ('conflict' in result) {
      throw new ApiError('duplicate', `a training job named ${spec.name} exists already (id ${result.conflict.id}); pick another name or add a version to it`);
    }
    return this.queue(record.id, record.version);
  }

  /** Runs the job again with (optionally) changed parameters, as the next version; `created_version` is the new one. */
  async addVersion(id: string, body: unknown): Promise<JobRecord & { created_version: JobVersion }> {
    const job = this.get(id);
    const base = latestVersion(job);
    const { parameters, description, overwrite_outputs } = parseVersionRequest(body, this.p.schemas, base.parameters);
    if (!overwrite_outputs) {
      const next = newVersion(job, Math.max(...job.versions.map((v) => v.version_id)) + 1, parameters, '', '');
      await checkOutputsFree({ jobId: id, jobName: job.name, version: next.version, outputs: next.output_urls }, this.records.list(), this.p.store);
    }
    let created = '';
    await this.records.update(id, (j) => {
      const next = Math.max(...j.versions.map((v) => v.version_id)) + 1;
      const v = newVersion(j, next, parameters, description ?? base.description ?? '', new Date().toISOString());
      created = v.version;
      j.versions.push(v);
      j.version = v.version;
      j.status = v.status;
    });
    const queued = await this.queue(id, created);
    return { ...queued, created_version: findVersion(queued, created)! };
  }

  private async queue(id: string, version: string): Promise<JobRecord> {
    const job = await this.updateVersion(id, version, { to: 'Pending' });
    this.scheduler.enqueue(id, version);
    return job;
  }

  get(id: string): JobRecord {
    const job = this.records.get(id);
    if (!job) throw notFound('training job', id);
    return withTerminal(job);
  }

  list(query: ListQuery): { total: number; offset: number; limit: number; items: JobRecord[] } {
    const all = this.records
      .list()
      .filter((j) => !query.status || j.status === query.status)
      .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
    return { total: all.length, offset: query.offset, limit: query.limit, items: all.slice(query.offset, query.offset + query.limit).map(withTerminal) };
  }

  /** Stops the given (default: every active) version; 409 when nothing is running. */
  async stop(id: string, versionName?: string): Promise<JobRecord> {
    const job = this.get(id);
    const targets = versionName ? [this.version(job, versionName)] : job.versions.filter((v) => ACTIVE.includes(v.status));
    if (!targets.length || targets.some((v) => isTerminal(v.status))) {
      const v = targets[0] ?? latestVersion(job);
      throw new ApiError('wrong_state', `training job ${job.name} ${v.version} is ${v.status}; only a Pending or Running job can be stopped`);
    }
    for (const v of targets) await this.stopVersion(job, v);
    return this.get(id);
  }

  private async stopVersion(job: JobRecord, v: JobVersion): Promise<void> {
    if (this.scheduler.dequeue(job.id, v.version)) {
      await this.updateVersion(job.id, v.version, { to: 'Terminated', mutate: (x) => (x.reason = 'stopped by the user before it started') });
      return;
    }
    await this.scheduler.active(job.id, v.version)?.run.requestStop();
  }

  async delete(id: string): Promise<void> {
    const job = this.get(id);
    for (const v of job.versions.filter((x) => ACTIVE.includes(x.status))) {
      await this.stopVersion(job, v);
      await this.scheduler.active(id, v.version)?.done;
    }
    await this.records.delete(id);
    await fs.rm(jobDir(this.p.config.dataDir, id), { recursive: true, force: true });
  }

  /**
   * The version's log, or one worker's (`task`: worker-0 …; with one node that is the job's log);
   * with `follow`, a stream that ends when the version does.
   */
  async logs(id: string, versionName: string | undefined, follow: boolean, task?: string): Promise<Buffer | Readable> {
    const job = this.get(id);
    const v = this.version(job, versionName);
    const own = task !== undefined && job.resource.node_count > 1 ? task : undefined;
    if (task !== undefined) this.checkTask(job, task);
    const active = this.scheduler.active(id, v.version);
    const book = active && (own ? active.run.logs.of(own) : active.run.logs.job);
    if (book) return follow ? book.follow() : book.content();
    if (follow && (v.status === 'Creating' || v.status === 'Pending')) return this.followOnceStarted(id, v.version, own);
    return readStoredLog(this.logFile(id, v.version, own));
  }

  /** A task the job has: worker-0 … worker-<node_count - 1>. */
  checkTask(job: JobRecord, task: string): void {
    const tasks = taskNames(job);
    if (!tasks.includes(task)) throw new ApiError('not_found', `training job ${job.name} has no task ${task}; its tasks are ${tasks.join(', ')}`);
  }

  private logFile(id: string, version: string, task: string | undefined): string {
    const files = jobFiles(this.p.config.dataDir, id, version);
    return task ? files.taskLog(task) : files.log;
  }

  /** Copies the version's log into the system bucket (where ModelArts keeps job logs) and names the copy. */
  async exportLog(id: string, versionName: string | undefined, task: string): Promise<ObsUrl> {
    const job = this.get(id);
    const v = this.version(job, versionName);
    const url: ObsUrl = { bucket: this.p.config.obs.systemBucket, key: `training-logs/${id}/${v.version}/${task}.log` };
    await this.p.store.ensureBucket(url.bucket);
    await this.p.store.put(url, (await this.logs(id, v.version, false, task)) as Buffer, 'text/plain; charset=utf-8');
    return url;
  }

  /** A follower of a queued version waits for it to start rather than getting an empty log at once. */
  private followOnceStarted(id: string, version: string, task: string | undefined): Readable {
    const out = new PassThrough();
    void this.scheduler.started(id, version).then(async (run) => {
      const book = run && (task ? run.logs.of(task) : run.logs.job);
      // A follower that hangs up ends the pipeline early; that is theirs to do, not an error.
      if (book) return pipeline(book.follow(), out).catch((err: unknown) => isErrno(err, 'ERR_STREAM_PREMATURE_CLOSE') || log.warn(`following the log of job ${id} ${version} failed`, err));
      out.end(await readStoredLog(this.logFile(id, version, task)));
    });
    return out;
  }

  /** The version's metric points, from the `offset`-th on (a follower asks only for new ones). */
  async metrics(id: string, versionName: string | undefined, offset = 0): Promise<{ version: string; offset: number; metrics: MetricPoint[] }> {
    const job = this.get(id);
    const v = this.version(job, versionName);
    const all = await readMetrics(jobFiles(this.p.config.dataDir, id, v.version).metrics);
    return { version: v.version, offset, metrics: all.slice(offset) };
  }

  private version(job: JobRecord, name: string | undefined): JobVersion {
    const v = findVersion(job, name);
    if (!v) throw notFound(`version of training job ${job.name}`, name ?? '');
    return v;
  }

  private async updateVersion(jobId: string, version: string, change: VersionChange): Promise<JobRecord> {
    return this.records.update(jobId, (job) => {
      const v = findVersion(job, version);
      if (!v) throw notFound(`version of training job ${job.name}`, version);
      change.mutate?.(v, job);
      // A change that names the version's status again is a note, not a move.
      if (change.to && change.to !== v.status) this.states.transition({ job, version: v }, change.to, change.at);
    });
  }

  /** A boot file, code dir or input that is not in the bucket is a 400 naming it. */
  private async checkSources(spec: JobSpec): Promise<void> {
    const store = this.p.store;
    const codeDir = parseObsUrl(spec.algorithm.code_dir);
    const boot = childUrl(codeDir, spec.algorithm.boot_file);
    refuseUnsafeKeys(codeDir.key, await store.listAll(codeDir));
    if (!(await store.head(boot))) {
      const codeExists = await store.folderExists(parseObsUrl(spec.algorithm.code_dir));
      throw new ApiError(
        'source_not_found',
        codeExists
          ? `boot file ${spec.algorithm.boot_file} is not in ${spec.algorithm.code_dir}; upload it there or fix algorithm.boot_file`
          : `code dir ${spec.algorithm.code_dir} is empty or does not exist; upload the training code there first`,
      );
    }
    for (const input of spec.inputs) {
      const url = parseObsUrl(input.url);
      const found = (url.key && !url.key.endsWith('/') && (await store.head(url))) || (await store.folderExists(asFolder(url)));
      if (!found) throw new ApiError('source_not_found', `input ${input.name} (${input.url}) is empty or does not exist; upload the data first`);
    }
  }
}

/** Code whose keys would land outside the work dir (`../x`, `/etc/x`) is refused before it is downloaded. */
function refuseUnsafeKeys(prefix: string, objects: { key: string }[]): void {
  for (const o of objects) {
    const relative = o.key.slice(prefix.length);
    const problem = relative.endsWith('/') ? undefined : keyProblem(relative);
    if (problem) {
      throw new ApiError('invalid_request', `code dir object ${JSON.stringify(o.key)} cannot be used: ${problem}; rename or remove it`);
    }
  }
}

function newVersion(spec: Pick<JobSpec, 'outputs' | 'versioned_outputs'>, n: number, parameters: Parameter[], description: string, now: string): JobVersion {
  const name = versionName(n);
  return {
    version: name,
    version_id: n,
    status: 'Creating',
    description,
    parameters,
    created_at: now,
    phases: { Creating: now },
    output_urls: spec.outputs.map((o) => ({ name: o.name, url: spec.versioned_outputs === false ? o.url : `${o.url}${name}/` })),
    metric_count: 0,
  };
}
