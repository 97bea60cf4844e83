/**
 * The Python workers of one instance, as its predictor: each request waits for an idle
 * worker, goes to it as a frame (uploaded files as raw bytes), and comes back as the
 * hook's JSON result or its error. When requests wait and the hook can run requests
 * together (its workers say so), an idle worker takes its share of them at once — one
 * wake-up of the worker, and one model call that the model batches, for all of them.
 * A worker that dies is restarted (`RESTART_POLICIES.pythonWorker`); the requests it held
 * fail as retryable (the gateway sends them again), the queued ones wait for it. A worker
 * stuck past the request timeout is killed and restarted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from '../../kernel/errors';
import { RestartBackoff, RESTART_POLICIES } from '../../kernel/process/restart-policy';
import { HookStageError, STAGES, type Stage, type Timings } from '../model_service/base-service';
import type { Predictor } from '../instance/server';
import type { Frame } from './frames';
import { PythonWorker, WorkerLaunch, WorkerReady } from './python-worker';

/** Exceptions of a hook that ModelArts' runtime blames on the request. */
const REQUEST_FAULTS = ['KeyError', 'TypeError'];
/** Time a stuck worker is given beyond the request timeout before it is killed. */
const STUCK_GRACE_MS = 1000;
/** Most requests a worker takes at once (the JavaScript hook's batches reach the same size). */
const MAX_TOGETHER = 32;

export interface PoolOptions {
  size: number;
  launch: WorkerLaunch;
  /** A request's time limit; past it (and a grace) the worker is killed. */
  timeoutMs: number;
  onEvent(level: 'info' | 'warning' | 'error', message: string): void;
  /** The Python traceback of a request the hook failed (never sent to the client). */
  onTraceback(traceback: string, pid: number): void;
  /** A worker could not be restarted: the instance cannot serve any more. */
  onFatal(message: string): void;
}

interface Waiting {
  deadline: number;
  header: { id: number };
  blobs: Buffer[];
  resolve(answer: Frame): void;
  reject(err: unknown): void;
}

interface ErrorHeader {
  type: 'error';
  kind: 'input' | 'hook';
  stage?: Stage;
  exception: string;
  message: string;
  traceback?: string;
}

export class PythonWorkerPool implements Predictor {
  private readonly idle: PythonWorker[] = [];
  private readonly all = new Set<PythonWorker>();
  private readonly queue: Waiting[] = [];
  private readonly warned = new Set<string>();
  private nextId = 1;
  private closing = false;

  constructor(private readonly opts: PoolOptions) {}

  /** Starts every worker; rejects with the first one's reason when any fails. */
  async start(): Promise<WorkerReady> {
    const started = await Promise.allSettled(Array.from({ length: this.opts.size }, () => PythonWorker.start(this.opts.launch)));
    const failure = started.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    for (const r of started) if (r.status === 'fulfilled') this.adopt(r.value);
    if (failure) {
      await this.close();
      throw failure.reason;
    }
    return [...this.all][0].ready;
  }

  get pids(): number[] {
    return [...this.all].map((w) => w.pid);
  }

  async handle(data: unknown): Promise<{ result: unknown; timings: Record<string, number> }> {
    if (this.closing) throw new ApiError('predict_unavailable', 'the instance is stopping');
    const { header, blobs } = requestFrame(this.nextId++, data);
    // The server's own timeout answers a client that waits too long; its late entry is skipped in dispatch().
    const answer = await new Promise<Frame>((resolve, reject) => {
      this.queue.push({ deadline: Date.now() + this.opts.timeoutMs, header, blobs, resolve, reject });
      this.dispatch();
    });
    return answerOf(answer);
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const w of this.queue.splice(0)) w.reject(new ApiError('predict_unavailable', 'the instance is stopping'));
    await Promise.all([...this.all].map((w) => w.stop()));
  }

  private adopt(worker: PythonWorker): void {
    this.all.add(worker);
    void worker.exited.then((exit) => {
      this.all.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at !== -1) this.idle.splice(at, 1);
      if (this.closing || !worker.crashed) return;
      this.opts.onEvent('error', `Python worker ${worker.pid} ${exit.reason}; restarting it`);
      void this.restart(new RestartBackoff(RESTART_POLICIES.pythonWorker));
    });
    this.release(worker);
  }

  private async restart(backoff: RestartBackoff, failure?: Error): Promise<void> {
    const delay = backoff.nextDelay();
    if (delay === undefined) return this.opts.onFatal(`a Python worker could not be restarted: ${failure?.message}`);
    await sleep(delay);
    if (this.closing) return;
    try {
      const worker = await PythonWorker.start(this.opts.launch);
      if (this.closing) return void worker.stop();
      this.opts.onEvent('info', `Python worker ${worker.pid} started in place of the one that ended`);
      this.adopt(worker);
    } catch (err) {
      return this.restart(backoff, err as Error);
    }
  }

  /** Gives waiting requests to idle workers: one each, or a share of the queue to a worker whose hook runs requests together. */
  private dispatch(): void {
    const now = Date.now();
    while (this.queue.length && this.queue[0].deadline <= now) this.queue.shift();
    while (this.idle.length && this.queue.length) {
      const worker = this.idle.pop()!;
      const share = worker.ready.together ? Math.min(MAX_TOGETHER, Math.ceil(this.queue.length / this.all.size)) : 1;
      const taken: Waiting[] = [];
      while (taken.length < share && this.queue.length) {
        const next = this.queue.shift()!;
        if (next.deadline > now) taken.push(next);
      }
      if (taken.length) this.send(worker, taken);
      else this.idle.push(worker);
    }
  }

  private send(worker: PythonWorker, requests: Waiting[]): void {
    const stuck = setTimeout(() => worker.kill(), this.opts.timeoutMs + STUCK_GRACE_MS);
    const answers = worker.call(requests);
    const done = answers.map((answer, i) =>
      answer.then(
        (frame) => {
          this.noteAnswer(frame, worker.pid);
          requests[i].resolve(frame);
        },
        (err: unknown) => requests[i].reject(err),
      ),
    );
    void Promise.all(done).then(() => {
      clearTimeout(stuck);
      this.release(worker);
    });
  }

  /** A hook failure's traceback goes to the log; a warning is said once per instance. */
  private noteAnswer(answer: Frame, pid: number): void {
    const { traceback, warning } = answer.header as { traceback?: string; warning?: string };
    if (traceback) this.opts.onTraceback(traceback, pid);
    if (warning && !this.warned.has(warning)) {
      this.warned.add(warning);
      this.opts.onEvent('warning', warning);
    }
  }

  private release(worker: PythonWorker): void {
    if (!worker.alive || !this.all.has(worker) || worker.busy) return;
    this.idle.push(worker);
    this.dispatch();
  }
}

/** The request as the worker reads it: the JSON body, or the form's text fields plus its files as raw bytes. */
function requestFrame(id: number, data: unknown): { header: { id: number } & Record<string, unknown>; blobs: Buffer[] } {
  const blobs: Buffer[] = [];
  const files: [string, string, number][] = [];
  if (!isPlainObject(data) || !Object.values(data).some((v) => isPlainObject(v) && Object.values(v).some(Buffer.isBuffer))) {
    return { header: { type: 'request', id, data, files }, blobs };
  }
  const fields: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) {
    if (!isPlainObject(value)) fields[field] = value;
    else {
      for (const [name, bytes] of Object.entries(value)) {
        files.push([field, name, (bytes as Buffer).length]);
        blobs.push(bytes as Buffer);
      }
    }
  }
  return { header: { type: 'request', id, data: fields, files }, blobs };
}

function answerOf(frame: Frame): { result: unknown; timings: Record<string, number> } {
  const header = frame.header as { type: string; timings?: Timings };
  if (header.type === 'result') return { result: JSON.parse(frame.blob.toString('utf8')), timings: header.timings ?? {} };
  const error = frame.header as unknown as ErrorHeader;
  if (error.kind === 'input') throw new ApiError('predict_bad_input', error.message);
  const cause = new Error(error.message);
  cause.name = error.exception;
  // ModelArts' runtime answers a KeyError or TypeError as the request's fault (400), anything else 500.
  const kind = REQUEST_FAULTS.includes(error.exception) ? 'predict_recognition_failed_input' : 'predict_recognition_failed';
  throw new HookStageError(error.stage && STAGES.includes(error.stage) ? error.stage : 'inference', cause, kind);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}
