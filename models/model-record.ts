import type { Problem } from '../kernel/errors';
import { isTerminalIn, StateMachine, type TransitionTable } from '../kernel/lifecycle/state-machine';

export const MODEL_STATUSES = ['publishing', 'published', 'failed'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

export type ModelSource =
  | { type: 'training_job'; training_job_id: string; training_job_name: string; training_job_version: string; url: string }
  /** `source_job_id`/`source_job_version`: the job a v1 import named beside source_location, kept for tracing only. */
  | { type: 'obs'; url: string; source_job_id?: string; source_job_version?: string };

/** One loadable model inside a package (a package may hold several, e.g. autoencoder + classifier). */
export interface PackagedModel {
  /** Folder inside model/ that holds model.json ('' for model/ itself); for PyTorch, the .pth file. */
  path: string;
  format: 'tfjs-layers' | 'tfjs-graph' | 'savedmodel' | 'keras-h5' | 'keras' | 'pytorch';
  /** The Keras file's name, for Keras models. */
  file?: string;
  inputs: { name: string; dtype: string; shape: (number | null)[] | null }[];
  outputs: { name: string; dtype: string; shape: (number | null)[] | null }[];
  /** A SavedModel's signatures (converted at import) and the one `inputs`/`outputs` describe. */
  signatures?: string[];
  default_signature?: string;
}

export interface ModelRecord {
  id: string;
  name: string;
  version: string;
  description: string;
  status: ModelStatus;
  reason?: string;
  model_type: string;
  model_algorithm: string;
  runtime?: string;
  metrics?: Record<string, number>;
  apis: unknown[];
  dependencies: unknown[];
  health?: unknown;
  /** The validated, normalised config.json. */
  config: Record<string, unknown>;
  warnings: Problem[];
  source: ModelSource;
  /** Where the platform keeps its own copy of the package. */
  package_url: string;
  hook_file?: string;
  models: PackagedModel[];
  files: { path: string; size: number }[];
  size_bytes: number;
  /** sha256 over every file's path and content. */
  content_hash: string;
  created_at: string;
  updated_at: string;
  /** In API answers: true once the import has ended (published or failed). */
  terminal?: boolean;
}

const NEXT: TransitionTable<ModelStatus> = {
  publishing: ['published', 'failed'],
  published: [],
  failed: [],
};

/** The record as the API answers it, saying whether its status is final. */
export function withTerminal(model: ModelRecord): ModelRecord {
  return { ...model, terminal: isTerminalIn(NEXT, model.status) };
}

/** Every status change of a model goes through here; illegal moves are refused. */
export const modelStates = new StateMachine<ModelStatus, ModelRecord>({
  table: NEXT,
  status: (model) => model.status,
  describe: (model) => `model ${model.name} ${model.version}`,
  enter(model, to, at) {
    model.status = to;
    model.updated_at = at.toISOString();
  },
});
