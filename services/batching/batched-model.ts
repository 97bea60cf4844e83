/**
 * A loaded model whose predictions are batched: each caller's inputs are checked on
 * their own (a bad request fails alone), queued, stacked along the first dimension
 * with those of concurrent callers, run in one model call, and each caller gets its
 * own rows back — the same numbers a call of its own gives. When a stacked call fails,
 * its requests run one by one, so an error stays with the request that caused it.
 */
import type { InputData, LoadedModel, NestedNumbers } from '../../compute/loaded-model';
import { dropLogged } from '../../kernel/util/drop';
import { BatchQueue, type BatchReport, type QueueSettings, type Settled } from './batch-queue';

type Outputs = Record<string, NestedNumbers>;

/**
 * Why a model cannot be batched (a fixed first dimension), or undefined when it can. An
 * input of unknown shape (a TF1 SavedModel's placeholder) is batched request by request,
 * when the requests' rows stack.
 */
export function unbatchable(model: LoadedModel): string | undefined {
  const fixed = model.inputs.find((spec) => spec.shape !== null && (spec.shape.length === 0 || spec.shape[0] !== null));
  if (fixed) return `input "${fixed.name}" has no batch dimension (shape ${JSON.stringify(fixed.shape)})`;
  return undefined;
}

export function batchedModel(model: LoadedModel, settings: QueueSettings, onBatch?: (report: BatchReport) => void): LoadedModel {
  let split = true;
  const runAlone = (data: InputData[]): Promise<Settled<Outputs>> =>
    model.run(data).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  const runBatch = async (items: InputData[][]): Promise<Settled<Outputs>[]> => {
    if (items.length === 1 || !split) return sequential(items, runAlone);
    const rows = items.map((data) => data[0].shape[0]);
    // A batch that fails is said in the log and run one request at a time: each then gets its own answer or error.
    const stacked = await dropLogged(model.run(stack(items)), `a batch of ${items.length} requests (run one at a time instead)`);
    if (stacked === undefined) return sequential(items, runAlone);
    const parts = unstack(stacked, rows);
    if (parts) return parts.map((value) => ({ ok: true, value }));
    // Outputs that do not follow the batch dimension: this model is run one request at a time from now on.
    split = false;
    return sequential(items, runAlone);
  };
  const queue = new BatchQueue<InputData[], Outputs>(settings, runBatch, onBatch);
  const run = (data: InputData[]): Promise<Outputs> => {
    const rows = batchRows(data);
    if (rows === undefined || rows > settings.maxBatchSize) return model.run(data);
    return queue.submit(stackKey(data), data, rows);
  };
  return {
    ...model,
    prepare: (values) => model.prepare(values),
    run,
    predict: async (values) => run(model.prepare(values)),
  };
}

async function sequential<I, O>(items: I[], one: (item: I) => Promise<Settled<O>>): Promise<Settled<O>[]> {
  const out: Settled<O>[] = [];
  for (const item of items) out.push(await one(item));
  return out;
}

/** The rows of a request when every input has the same first dimension; undefined otherwise. */
function batchRows(data: InputData[]): number | undefined {
  const rows = data[0]?.shape[0];
  if (rows === undefined || rows < 1) return undefined;
  return data.every((d) => d.shape.length > 0 && d.shape[0] === rows) ? rows : undefined;
}

/** Requests stack when every input has the same dtype and the same dimensions after the first. */
function stackKey(data: InputData[]): string {
  return data.map((d) => `${d.dtype}:${d.shape.slice(1).join('x')}`).join('|');
}

function stack(items: InputData[][]): InputData[] {
  return items[0].map((first, input) => {
    const parts = items.map((data) => data[input]);
    const total = parts.reduce((n, p) => n + p.values.length, 0);
    const values = new (first.values.constructor as new (n: number) => InputData['values'])(total);
    let at = 0;
    for (const p of parts) {
      values.set(p.values, at);
      at += p.values.length;
    }
    const rows = parts.reduce((n, p) => n + p.shape[0], 0);
    return { values, dtype: first.dtype, shape: [rows, ...first.shape.slice(1)] };
  });
}

/** Each request's rows of every output, or undefined when an output does not have one row per input row. */
function unstack(outputs: Outputs, rows: number[]): Outputs[] | undefined {
  const total = rows.reduce((a, b) => a + b, 0);
  const names = Object.keys(outputs);
  if (names.some((n) => !Array.isArray(outputs[n]) || (outputs[n] as NestedNumbers[]).length !== total)) return undefined;
  let at = 0;
  return rows.map((count) => {
    const part: Outputs = {};
    for (const n of names) part[n] = (outputs[n] as NestedNumbers[]).slice(at, at + count);
    at += count;
    return part;
  });
}
