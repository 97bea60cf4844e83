/**
 * Puts an instance's models behind batching: the models of its JavaScript inference
 * code (`this.model`, `this.models`) and the ones TF Serving's and the V2 API serve,
 * the same queue where they are the same model. In auto mode each model is timed on
 * one row of zeros first, and the time sets how long a batch waits (batching-config.ts).
 */
import { performance } from 'node:perf_hooks';
import type { InputData, LoadedModel } from '../../compute/loaded-model';
import type { BaseService } from '../model_service/base-service';
import { TfServingBaseService } from '../model_service/tf-serving-base-service';
import type { ServableSet } from '../tf_serving/servables';
import type { BatchReport } from './batch-queue';
import { batchedModel, unbatchable } from './batched-model';
import { AUTO_MIN_PREDICT_MS, autoTimeoutMicros, queueSettings, type BatchingConfig } from './batching-config';

const PROBE_RUNS = 3;

export interface BatchingTargets {
  service?: BaseService;
  servables?: ServableSet;
}

/** Wraps the models as `config` says; returns what the deploy's events should say about it. */
export async function applyBatching(config: BatchingConfig, targets: BatchingTargets, onBatch: (report: BatchReport) => void): Promise<string[]> {
  if (config.mode === 'off') return [];
  const decided = new Map<LoadedModel, { model: LoadedModel; note: string }>();
  const wrap = async (model: LoadedModel, name: string): Promise<LoadedModel> => {
    let entry = decided.get(model);
    if (!entry) {
      entry = await decide(model, name, config, onBatch);
      decided.set(model, entry);
    }
    return entry.model;
  };
  const service = targets.service;
  if (service instanceof TfServingBaseService) {
    for (const [name, model] of Object.entries(service.models)) service.models[name] = await wrap(model, name || 'model');
    if (service.model) service.model = decided.get(service.model)?.model ?? service.model;
  }
  if (targets.servables) {
    const replaced = new Map<LoadedModel, LoadedModel>();
    for (const model of targets.servables.models()) replaced.set(model, await wrap(model, 'model'));
    targets.servables.replaceModels((m) => replaced.get(m) ?? m);
  }
  return [...new Set([...decided.values()].map((d) => d.note))];
}

async function decide(model: LoadedModel, name: string, config: BatchingConfig, onBatch: (report: BatchReport) => void): Promise<{ model: LoadedModel; note: string }> {
  const unfit = unbatchable(model);
  if (unfit) return { model, note: `batching off for ${name}: ${unfit}` };
  if (config.mode === 'on') {
    return { model: batchedModel(model, queueSettings(config), onBatch), note: `batching on for ${name}: up to ${config.max_batch_size} rows, batch_timeout_micros ${config.batch_timeout_micros}` };
  }
  const ms = await probe(model);
  const timeout = ms === undefined ? 0 : autoTimeoutMicros(ms);
  const reason =
    ms === undefined
      ? 'its input sizes vary, so one prediction cannot be timed; no wait'
      : ms < AUTO_MIN_PREDICT_MS
        ? `one prediction takes ${ms.toFixed(2)} ms, under ${AUTO_MIN_PREDICT_MS} ms: no wait, requests that arrive together share a call`
        : `one prediction takes ${ms.toFixed(1)} ms`;
  return {
    model: batchedModel(model, queueSettings(config, timeout), onBatch),
    note: `batching on for ${name} (auto, ${reason}): up to ${config.max_batch_size} rows, batch_timeout_micros ${timeout}`,
  };
}

/** The median time of one prediction on one row of zeros (after a warm-up), or undefined when no such row can be made. */
async function probe(model: LoadedModel): Promise<number | undefined> {
  const data: InputData[] = [];
  for (const spec of model.inputs) {
    if (spec.shape === null) return undefined;
    const rest = spec.shape.slice(1);
    if (rest.some((d) => d === null) || !['float32', 'int32', 'bool'].includes(spec.dtype)) return undefined;
    const size = (rest as number[]).reduce((a, b) => a * b, 1);
    const dtype = spec.dtype as InputData['dtype'];
    const values = dtype === 'float32' ? new Float32Array(size) : dtype === 'int32' ? new Int32Array(size) : new Uint8Array(size);
    data.push({ values, dtype, shape: [1, ...(rest as number[])] });
  }
  const times: number[] = [];
  await model.run(data);
  for (let i = 0; i < PROBE_RUNS; i++) {
    const start = performance.now();
    await model.run(data);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(PROBE_RUNS / 2)];
}
