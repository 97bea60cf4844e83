/**
 * A service's batching settings, in TF Serving's words (`max_batch_size`,
 * `batch_timeout_micros`, `max_enqueued_batches`). `mode: 'auto'` (the default) batches
 * every model that has a batch dimension and picks the wait from one timed prediction:
 * a model that answers within AUTO_MIN_PREDICT_MS gets no wait at all (requests that
 * arrive while it computes, or in the same turn of the event loop, share its next
 * call; a lone request runs at once), a slower one waits a tenth of its prediction
 * time for company. Measured in bench/: the no-wait batching costs a tiny model nothing
 * at concurrency 1 and saves most of its per-call cost at 32.
 */
import type { QueueSettings } from './batch-queue';

type BatchingMode = 'auto' | 'on' | 'off';

export interface BatchingConfig {
  mode: BatchingMode;
  max_batch_size: number;
  batch_timeout_micros: number;
  max_enqueued_batches: number;
}

/** What POST /services and deploy accept: "auto", false (off), true or the parameters (on). */
export type BatchingRequest = 'auto' | boolean | Partial<Omit<BatchingConfig, 'mode'>>;

const DEFAULT_MAX_BATCH_SIZE = 32;
const DEFAULT_MAX_ENQUEUED_BATCHES = 64;
/** With mode 'on' and no timeout given: batches close at the end of the event loop turn that opened them. */
const DEFAULT_BATCH_TIMEOUT_MICROS = 0;
/** Auto lets batches wait for more requests only for models whose single prediction takes at least this long. */
export const AUTO_MIN_PREDICT_MS = 2;
/** Auto waits this share of a single prediction's time for more requests … */
const AUTO_TIMEOUT_SHARE = 0.1;
/** … and never longer than this. */
const AUTO_MAX_TIMEOUT_MICROS = 5000;

export const DEFAULT_BATCHING: BatchingConfig = {
  mode: 'auto',
  max_batch_size: DEFAULT_MAX_BATCH_SIZE,
  batch_timeout_micros: DEFAULT_BATCH_TIMEOUT_MICROS,
  max_enqueued_batches: DEFAULT_MAX_ENQUEUED_BATCHES,
};

export function batchingFrom(request: BatchingRequest | undefined, current: BatchingConfig = DEFAULT_BATCHING): BatchingConfig {
  if (request === undefined) return current;
  if (request === 'auto') return { ...DEFAULT_BATCHING };
  if (request === false) return { ...current, mode: 'off' };
  if (request === true) return { ...DEFAULT_BATCHING, mode: 'on' };
  return { ...DEFAULT_BATCHING, ...request, mode: 'on' };
}

export function queueSettings(config: BatchingConfig, timeoutMicros = config.batch_timeout_micros): QueueSettings {
  return { maxBatchSize: config.max_batch_size, timeoutMs: timeoutMicros / 1000, maxEnqueuedBatches: config.max_enqueued_batches };
}

/** The wait auto mode uses for a model whose single prediction takes `predictMs`. */
export function autoTimeoutMicros(predictMs: number): number {
  if (predictMs < AUTO_MIN_PREDICT_MS) return 0;
  return Math.min(AUTO_MAX_TIMEOUT_MICROS, Math.round(predictMs * 1000 * AUTO_TIMEOUT_SHARE));
}
