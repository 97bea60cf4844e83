import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import type { PlatformContext } from '../../kernel/context';
import { ApiError, notFound } from '../../kernel/errors';
import { log } from '../../kernel/log';
import { DocStore } from '../../kernel/records/doc-store';
import { asFolder, formatObsUrl } from '../../kernel/storage/obs-url';
import { StorageError } from '../../kernel/storage/storage-error';
import { dropLogged } from '../../kernel/util/drop';
import type { ModelService } from '../../models/model-service';
import { batchingFrom } from '../batching/batching-config';
import { unlessGone } from '../manager/record-updates';
import type { InstanceLauncher } from '../manager/instance-link';
import { LocalLauncher } from '../manager/local-link';
import type { BatchInstances } from './batch-instances';
import { parseBatchPath, taskOutputs } from './batch-paths';
import { ACTIVE_BATCH, addBatchEvent, batchStates, withTerminal, type BatchServiceRecord } from './batch-record';
import { batchApi, parseCreateBatch } from './batch-request';
import { batchDir, BatchRun } from './batch-run';
import type { TaskState } from './task-state';

interface RunEntry {
  run: BatchRun;
  done: Promise<void>;
  /** Brings a record up to date with the run (from when it runs). */
  note?: (r: BatchServiceRecord) => void;
  timer?: NodeJS.Timeout;
}

/** How often the record's progress and instances are brought up to date while a batch runs. */
const PROGRESS_MS = 1000;

/** Batch services: records, create / stop / delete, their runs, and resuming them after a restart. */
export class BatchManager {
  readonly records: DocStore<BatchServiceRecord>;
  private readonly runs = new Map<string, RunEntry>();
  private closing = false;

  constructor(
    private readonly p: PlatformContext,
    private readonly models: ModelService,
    /** Whether a real-time service has this name (names are unique across both kinds). */
    private readonly realTimeName: (name: string) => boolean,
    /** What starts the instances: processes on this machine by default, or a cluster's. */
    private readonly launcher: InstanceLauncher = new LocalLauncher((id) => models.ensureLocal(id)),
  ) {
    this.records = new DocStore<BatchServiceRecord>(`${p.config.dataDir}/meta`, 'batch-services');
  }

  /** Batches that were running when the platform stopped (or was killed) resume where their journal ends. */
  async start(): Promise<void> {
    await this.records.load();
    for (const r of this.records.list()) {
      if (r.status === 'stopping') await this.update(r.id, (x) => batchStates.transition(x, 'stopped'));
      if (!ACTIVE_BATCH.includes(r.status)) continue;
      await this.update(r.id, (x) => {
        // A batch the restart found deploying stays so; a running one deploys again.
        if (x.status !== 'deploying') batchStates.transition(x, 'deploying');
        addBatchEvent(x, 'info', 'the platform restarted: resuming the batch where its journal ends');
      });
      this.launch(r.id);
    }
  }

  /** Ends the runs without changing their records: the next start resumes them. */
  async shutdown(): Promise<void> {
    this.closing = true;
    for (const { run } of this.runs.values()) run.stop();
    await Promise.all([...this.runs.values()].map((r) => r.done));
  }

  has(id: string): boolean {
    return this.records.peek(id) !== undefined;
  }

  nameTaken(name: string): boolean {
    return this.records.findId((r) => r.name === name) !== undefined;
  }

  modelUsers(modelId: string): string[] {
    return this.records.list().filter((r) => r.model_id === modelId && ACTIVE_BATCH.includes(r.status)).map((r) => r.name);
  }

  /** `prefix` names the fields in problems as the caller's API does (ModelArts' v1: config[0].). */
  async create(body: unknown, prefix = ''): Promise<BatchServiceRecord> {
    const req = parseCreateBatch(body, this.p.schemas, prefix);
    const model = this.models.get(req.model_id);
    if (model.status !== 'published') throw new ApiError('wrong_state', `model ${model.name} ${model.version} is ${model.status}; only a published model can be deployed`);
    batchApi(model, req, prefix);
    await this.checkLocations(req.src_path, req.dest_path, req.src_type === 'ManifestFile', prefix);
    if (this.realTimeName(req.name)) throw new ApiError('duplicate', `a real-time service named ${req.name} exists already`);
    const now = new Date().toISOString();
    const id = crypto.randomUUID();
    const task = crypto.randomUUID();
    const outputs = taskOutputs(req.dest_path, task);
    const settings = { src_path: req.src_path, dest_path: req.dest_path, req_uri: req.req_uri, mapping_type: req.mapping_type, ...(req.mapping_rule && { mapping_rule: req.mapping_rule }), ...(req.src_type && { src_type: req.src_type }) };
    const record: BatchServiceRecord = {
      id, name: req.name, description: req.description ?? '', infer_type: 'batch',
      model_id: model.id, model_name: model.name, model_version: model.version,
      instance_count: req.instance_count ?? 1, specification: req.specification ?? 'modelarts.vm.cpu.2u', envs: req.envs ?? {},
      batching: batchingFrom(req.batching), batch: settings, task_id: task, status: 'deploying',
      progress: { total: 0, done: 0, failed: 0 },
      outputs: { manifests: [formatObsUrl(outputs.manifest(0))], results: formatObsUrl(outputs.results) },
      instances: [], events: [], created_at: now, updated_at: now,
    };
    addBatchEvent(record, 'info', `batch service created: model ${model.name} ${model.version} scores ${req.src_path} into ${formatObsUrl(outputs.dest)}`);
    const created = await this.records.createUnique(record, (r) => r.name === req.name);
    if ('conflict' in created) throw new ApiError('duplicate', `a batch service named ${req.name} exists already (id ${created.conflict.id})`);
    this.launch(id);
    return this.get(id);
  }

  get(id: string): BatchServiceRecord {
    const r = this.records.get(id);
    if (!r) throw notFound('service', id);
    return withTerminal(r);
  }

  list(filter: { status?: string; model_id?: string }): BatchServiceRecord[] {
    return this.records.list().filter((r) => (!filter.status || r.status === filter.status) && (!filter.model_id || r.model_id === filter.model_id)).map(withTerminal);
  }

  async stop(id: string): Promise<BatchServiceRecord> {
    const current = this.get(id);
    if (!ACTIVE_BATCH.includes(current.status)) throw new ApiError('wrong_state', `batch service ${current.name} is ${current.status} already`);
    await this.update(id, (r) => {
      batchStates.transition(r, 'stopping');
      addBatchEvent(r, 'info', 'stop requested: no more inputs are sent; those in flight are recorded');
    });
    const run = this.runs.get(id);
    run?.run.stop();
    await run?.done;
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    const current = this.get(id);
    if (ACTIVE_BATCH.includes(current.status)) await this.stop(id);
    await this.records.delete(id);
    await fsp.rm(batchDir(this.p.config.dataDir, id), { recursive: true, force: true });
  }

  /** The source must be there and the destination's bucket must exist, before anything is recorded. */
  private async checkLocations(src: string, dest: string, manifest: boolean, prefix: string): Promise<void> {
    const missing = (field: string, message: string) => new ApiError('invalid_request', `${prefix}${field}: ${message}`, [{ path: `${prefix}${field}`, message }]);
    const srcUrl = parseBatchPath(src);
    const found = manifest ? await this.p.store.head(srcUrl) : await this.p.store.folderExists(asFolder(srcUrl)).catch(ifNoBucket);
    if (!found) throw missing('src_path', `${src} ${manifest ? 'does not exist' : 'holds no objects'}; upload the inputs first`);
    const destUrl = parseBatchPath(dest);
    if (!(await this.p.store.bucketExists(destUrl.bucket))) throw missing('dest_path', `bucket ${destUrl.bucket} does not exist; create it (an empty output folder in it is enough)`);
  }

  private launch(id: string): void {
    const record = this.records.get(id)!;
    const run = new BatchRun(this.p, this.models, this.launcher, record, {
      event: (type, message) => void this.update(id, (r) => addBatchEvent(r, type, message)).catch(unlessGone(id)),
      running: (state, manifests, instances) => this.running(id, state, manifests, instances),
    });
    const entry: RunEntry = { run, done: Promise.resolve() };
    this.runs.set(id, entry);
    entry.done = this.follow(id, entry).finally(() => {
      clearInterval(entry.timer);
      this.runs.delete(id);
    });
  }

  /** Waits for the run's end and records it: finished, stopped, or failed with the reason. */
  private async follow(id: string, entry: RunEntry): Promise<void> {
    let failure: string | undefined;
    const outcome = await entry.run.run().catch((err: Error) => ((failure = err.message), undefined));
    clearInterval(entry.timer);
    if (this.closing) return;
    await this.update(id, (r) => {
      entry.note?.(r);
      r.instances = r.instances.map((i) => ({ ...i, state: 'stopped' }));
      const { done, failed, total } = r.progress;
      if (failure !== undefined) {
        r.reason = failure;
        addBatchEvent(r, 'error', `the batch failed: ${failure}`);
        return void batchStates.transition(r, r.status === 'stopping' ? 'stopped' : 'failed');
      }
      batchStates.transition(r, r.status === 'stopping' || outcome === 'stopped' ? 'stopped' : 'finished');
      addBatchEvent(r, 'info', r.status === 'finished' ? `finished: ${done - failed} of ${total} inputs scored, ${failed} failed` : `stopped after ${done} of ${total} inputs`);
    }).catch(unlessGone(id));
  }

  /** The record becomes running, and from then on its progress follows the task's. */
  private async running(id: string, state: TaskState, manifests: () => string[], instances: BatchInstances): Promise<void> {
    const note = (r: BatchServiceRecord) => {
      r.progress = state.progress;
      r.outputs.manifests = manifests();
      r.instances = instances.infos();
    };
    await this.update(id, (r) => {
      note(r);
      if (r.status === 'deploying') batchStates.transition(r, 'running');
      const before = r.progress.done ? ` (${r.progress.done} scored before the restart)` : '';
      addBatchEvent(r, 'info', `running: ${r.progress.total} inputs on ${r.instance_count} instance(s)${before}`);
    });
    const entry = this.runs.get(id);
    if (!entry) return;
    entry.note = note;
    entry.timer = setInterval(() => void dropLogged(this.update(id, note), `noting the progress of batch service ${id}`), PROGRESS_MS);
  }

  private update(id: string, mutate: (r: BatchServiceRecord) => void): Promise<BatchServiceRecord> {
    return this.records.update(id, mutate).catch((err) => {
      log.warn(`could not update batch service ${id}`, err);
      throw err;
    });
  }
}

function ifNoBucket(err: unknown): boolean {
  if (err instanceof StorageError && err.reason === 'not_found') return false;
  throw err;
}
