/**
 * The base of every model's inference code, as ModelArts' `BaseService`: a hook
 * overrides `_preprocess`, `_inference` and `_postprocess` (each sync or async), and the
 * serving process calls `load()` once, then `handle(data)` per request.
 */
import { performance } from 'node:perf_hooks';
import { ApiError } from '../../kernel/errors';

export const STAGES = ['preprocess', 'inference', 'postprocess'] as const;
export type Stage = (typeof STAGES)[number];

/** Milliseconds each stage took, with sub-millisecond resolution. */
export type Timings = Record<Stage, number>;

export interface HandleResult<T = unknown> {
  result: T;
  timings: Timings;
}

/** A hook's own failure (not a bad request): which stage, and the error it threw. */
export class HookStageError extends ApiError {
  constructor(
    readonly stage: Stage,
    cause: unknown,
    kind: 'predict_hook_failed' | 'predict_recognition_failed' | 'predict_recognition_failed_input' = 'predict_hook_failed',
  ) {
    super(kind, `the model's _${stage} failed: ${describe(cause)}`);
    this.cause = cause;
  }
}

export class BaseService {
  constructor(
    readonly model_name: string,
    readonly model_path: string,
  ) {}

  /** Awaited once before the instance is declared ready; the place to load models. */
  async load(): Promise<void> {}

  _preprocess(data: unknown): unknown {
    return data;
  }

  _inference(data: unknown): unknown {
    return data;
  }

  _postprocess(data: unknown): unknown {
    return data;
  }

  /** Releases what `load()` took; the serving process calls it on stop. */
  dispose(): void {}

  /** preprocess → inference → postprocess, each stage timed. */
  async handle(data: unknown): Promise<HandleResult> {
    const timings: Timings = { preprocess: 0, inference: 0, postprocess: 0 };
    let value = data;
    for (const stage of STAGES) {
      const start = performance.now();
      try {
        value = this.runStage(stage, value);
        // A sync stage's value is used as it is: awaiting every stage would cost each request three turns.
        if (isThenable(value)) value = await value;
      } catch (err) {
        // Errors the hook meant for the client (bad input …) pass through as they are.
        throw err instanceof ApiError ? err : new HookStageError(stage, err);
      }
      timings[stage] = performance.now() - start;
    }
    return { result: value, timings };
  }

  private runStage(stage: Stage, value: unknown): unknown {
    switch (stage) {
      case 'preprocess':
        return this._preprocess(value);
      case 'inference':
        return this._inference(value);
      case 'postprocess':
        return this._postprocess(value);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
