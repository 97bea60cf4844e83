import { isTerminalIn, StateMachine, type TransitionTable } from '../../kernel/lifecycle/state-machine';
import type { BatchingConfig } from '../batching/batching-config';
import type { InstanceInfo, ServiceEvent } from '../service-record';
import { MAX_EVENTS } from '../service-record';

/**
 * A batch service: a model's instances score every input of an OBS folder, CSV or
 * manifest once, then stop (ModelArts' `infer_type: "batch"`).
 */
export const BATCH_STATUSES = ['deploying', 'running', 'finished', 'failed', 'stopping', 'stopped'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

type MappingType = 'file' | 'csv';

/** What the batch reads and writes, in ModelArts' words (config[0] of the v1 API). */
export interface BatchSettings {
  /** A folder (every object under it), or a `.manifest` file with src_type ManifestFile. */
  src_path: string;
  /** Where infer-result-{task_id}.manifest and the result files go. */
  dest_path: string;
  /** One of the model's config.json apis URLs: its request Content-type and data say how inputs are sent. */
  req_uri: string;
  mapping_type: MappingType;
  /** For csv: the API's request data with `index` leaves naming CSV columns (from 0; -1 leaves a field out). */
  mapping_rule?: Record<string, unknown>;
  src_type?: 'ManifestFile';
}

/** Inputs scored so far: `done` counts successes and failures, `failed` the failures among them. */
export interface BatchProgress {
  total: number;
  done: number;
  failed: number;
}

export interface BatchInstanceInfo extends InstanceInfo {
  /** Inputs this instance answered (successfully or not). */
  requests: number;
}

export interface BatchServiceRecord {
  id: string;
  name: string;
  description: string;
  infer_type: 'batch';
  model_id: string;
  model_name: string;
  model_version: string;
  instance_count: number;
  specification: string;
  envs: Record<string, string>;
  batching?: BatchingConfig;
  batch: BatchSettings;
  /** The task whose outputs are named infer-result-{task_id}…; one per batch service. */
  task_id: string;
  status: BatchStatus;
  reason?: string;
  progress: BatchProgress;
  /** Where the outputs are: the manifest files written so far, and the folder of result files. */
  outputs: { manifests: string[]; results: string };
  instances: BatchInstanceInfo[];
  events: ServiceEvent[];
  created_at: string;
  updated_at: string;
  /** When the inputs started being sent (the status became running). */
  started_at?: string;
  /** When the last input was scored, or the batch failed or stopped. */
  finished_at?: string;
  /** In API answers: true once the batch has ended (finished, failed or stopped). */
  terminal?: boolean;
}

const NEXT: TransitionTable<BatchStatus> = {
  deploying: ['running', 'failed', 'stopping'],
  // A platform restarted mid-batch deploys the instances again and resumes.
  running: ['finished', 'failed', 'stopping', 'deploying'],
  stopping: ['stopped'],
  finished: [],
  failed: [],
  stopped: [],
};

export const ACTIVE_BATCH: readonly BatchStatus[] = ['deploying', 'running'];

function isTerminal(status: BatchStatus): boolean {
  return isTerminalIn(NEXT, status);
}

export function withTerminal(record: BatchServiceRecord): BatchServiceRecord {
  return { ...record, terminal: isTerminal(record.status) };
}

/** Every status change of a batch service goes through here; illegal moves (and moves to the status it has) are refused. */
export const batchStates = new StateMachine<BatchStatus, BatchServiceRecord>({
  table: NEXT,
  status: (record) => record.status,
  describe: (record) => `batch service ${record.name}`,
  /** Running stamps when the inputs started being sent (once: a resumed batch keeps it); an end, when it ended. */
  enter(record, to, at) {
    const now = at.toISOString();
    record.status = to;
    record.updated_at = now;
    if (to === 'running') record.started_at ??= now;
    if (isTerminal(to)) record.finished_at = now;
  },
});

export function addBatchEvent(record: BatchServiceRecord, type: ServiceEvent['type'], message: string): void {
  record.events.push({ time: new Date().toISOString(), type, message });
  if (record.events.length > MAX_EVENTS) record.events.splice(0, record.events.length - MAX_EVENTS);
}
