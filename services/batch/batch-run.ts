import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@modelarts-local/durable';
import type { PlatformContext } from '../../kernel/context';
import { ifExists } from '../../kernel/util/drop';
import type { ModelService } from '../../models/model-service';
import { instanceLimits, instanceOptions } from '../manager/instance-set';
import type { InstanceLauncher } from '../manager/instance-link';
import { BatchInstances, INPUTS_UNDER_WAY_PER_INSTANCE } from './batch-instances';
import { listInputs, type InputList } from './batch-inputs';
import { taskOutputs } from './batch-paths';
import type { BatchServiceRecord } from './batch-record';
import { batchApi } from './batch-request';
import { BatchTask } from './batch-task';
import { BatchObjects } from './batch-objects';
import { ResultManifest } from './result-manifest';
import { TaskJournal } from './task-journal';
import { TaskState } from './task-state';

/** What a run tells the manager, which keeps the record. */
export interface RunReport {
  event(type: 'info' | 'warning' | 'error', message: string): void;
  /** The inputs are listed and the instances ready: the record becomes running. */
  running(state: TaskState, manifests: () => string[], instances: BatchInstances): Promise<void>;
}

/** The folder of a batch service's own files: its input list and its journal. */
export function batchDir(dataDir: string, id: string): string {
  return path.join(dataDir, 'batch', id);
}

/**
 * One run of a batch service, from its record: instances started and inputs listed (or
 * read back, after a restart) side by side, the journal replayed, then every pending input
 * scored. Resolves 'finished' or 'stopped' (stop() was called); rejects when the batch fails.
 */
export class BatchRun {
  private stopped = false;
  private task?: BatchTask;

  constructor(
    private readonly p: PlatformContext,
    private readonly models: ModelService,
    private readonly launcher: InstanceLauncher,
    private readonly record: BatchServiceRecord,
    private readonly report: RunReport,
  ) {}

  stop(): void {
    this.stopped = true;
    this.task?.stop();
  }

  async run(): Promise<'finished' | 'stopped'> {
    const r = this.record;
    const model = this.models.get(r.model_id);
    const api = batchApi(model, r.batch);
    const limits = instanceLimits(this.p, this.launcher);
    const options = instanceOptions(r, model, limits);
    let fatal: string | undefined;
    const instances = new BatchInstances(options, limits, r.instance_count, r.model_id, {
      event: (type, message) => this.report.event(type, message),
      fatal: (reason) => (fatal = reason),
    });
    const dir = batchDir(this.p.config.dataDir, r.id);
    const objects = new BatchObjects(this.p.store.options);
    try {
      const [list] = await Promise.all([this.inputs(dir), instances.start()]);
      const outputs = taskOutputs(r.batch.dest_path, r.task_id);
      const state = new TaskState(list, outputs.results);
      const manifest = new ResultManifest(this.p.store, outputs, this.p.config.batchManifestLines);
      const { journal, entries } = await TaskJournal.open(path.join(dir, 'journal.jsonl'));
      try {
        this.task = new BatchTask({ store: this.p.store, objects, state, journal, manifest, instances, settings: r.batch, api, maxBodyBytes: limits.maxBodyBytes });
        await this.task.recover(entries);
        if (this.stopped) this.task.stop();
        await this.report.running(state, () => manifest.parts(), instances);
        const outcome = await this.task.run(r.instance_count * INPUTS_UNDER_WAY_PER_INSTANCE);
        if (fatal) throw new Error(fatal);
        return outcome;
      } finally {
        await journal.close();
      }
    } finally {
      objects.close();
      await instances.close();
    }
  }

  /** The input list this batch was started with, or a new one (listed once, kept for restarts). */
  private async inputs(dir: string): Promise<InputList> {
    const file = path.join(dir, 'inputs.json');
    const kept = await ifExists(fsp.readFile(file, 'utf8'));
    if (kept) return JSON.parse(kept) as InputList;
    const list = await listInputs(this.p.store, this.record.batch);
    await fsp.mkdir(dir, { recursive: true });
    await writeFileAtomic(file, JSON.stringify(list));
    for (const note of list.notes) this.report.event('info', note);
    return list;
  }
}
