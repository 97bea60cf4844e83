import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ObjectStore } from '../../kernel/storage/object-store';
import { StorageError } from '../../kernel/storage/storage-error';
import { mapLimit } from '../../kernel/util/concurrency';
import type { BatchApi } from './batch-request';
import type { BatchObjects } from './batch-objects';
import type { BatchInstances } from './batch-instances';
import type { BatchInput } from './batch-inputs';
import type { BatchSettings } from './batch-record';
import { RowError, requestFromRow } from './csv-mapping';
import { errorMessageOf, fileBody, InstanceUnavailable, postToInstance, rowBody, type OutgoingBody } from './instance-requests';
import type { ResultManifest } from './result-manifest';
import type { TaskJournal, JournalEntry } from './task-journal';
import { RESERVE_STEP, TaskState, type Outcome } from './task-state';
import { PlatformError } from '../../kernel/errors';

/** Times an input is sent before it counts as failed when its instance keeps going away. */
const MAX_SENDS = 4;
/**
 * Waits before each send again. An instance that was just killed stays among the instances until
 * its exit is seen (later than its sockets' errors on a busy machine); sending at once would spend
 * an input's sends on it, and the input would fail although a new instance is coming.
 */
const RESEND_DELAYS_MS = [100, 500, 2000];
/** Result files looked for at once when a restarted task checks what was written before the kill. */
const CHECK_CONCURRENCY = 16;

export interface TaskDeps {
  store: ObjectStore;
  /** The per-input GETs and PUTs. */
  objects: BatchObjects;
  state: TaskState;
  journal: TaskJournal;
  manifest: ResultManifest;
  instances: BatchInstances;
  settings: BatchSettings;
  api: BatchApi;
  maxBodyBytes: number;
}

/** A failure that ends the whole batch (the store cannot be reached or is full), not one input. */
export class TaskFailure extends PlatformError {}

/**
 * Sends every pending input to the instances, writes each answer as a result file, and
 * records each outcome in the journal and the manifest. Inputs that a killed run may have
 * sent (below the journal's reserve mark) are checked first: a result file already in the
 * store counts as done, so nothing is written twice.
 */
export class BatchTask {
  private stopping = false;
  private reserving?: Promise<void>;

  constructor(private readonly deps: TaskDeps) {}

  /** Replays the journal into the state and the manifest, then settles what a killed run left half done. */
  async recover(entries: JournalEntry[]): Promise<void> {
    for (const e of entries) this.release(this.deps.state.apply(e));
    const { state } = this.deps;
    const unsure = state.pending().filter((i) => i < state.reserved && state.list.inputs[i].table === undefined && !state.list.inputs[i].problem);
    await mapLimit(unsure, CHECK_CONCURRENCY, async (i) => {
      if (await this.deps.store.head(state.resultUrl(state.list.inputs[i]))) await this.record({ i, ok: true });
    });
    for (let t = 0; t < state.list.tables.length; t++) {
      if (state.tableComplete(t) && !state.tablesWritten.has(t)) await this.writeTable(t);
    }
  }

  /**
   * Runs until every input has an outcome ('finished') or stop() was called ('stopped').
   * A TaskFailure stops the others too, and is thrown once every input under way is settled.
   */
  async run(concurrency: number): Promise<'finished' | 'stopped'> {
    const pending = this.deps.state.pending();
    let next = 0;
    const worker = async () => {
      while (!this.stopping && next < pending.length) {
        const i = pending[next++];
        await this.reserveUpTo(i);
        await this.process(i);
      }
    };
    const workers = Array.from({ length: Math.max(1, Math.min(concurrency, pending.length)) }, () =>
      worker().catch((err: unknown) => {
        this.stopping = true;
        throw err;
      }),
    );
    const failure = (await Promise.allSettled(workers)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    await this.deps.manifest.flush();
    return next < pending.length ? 'stopped' : 'finished';
  }

  /** Sends no more inputs; those in flight finish and are recorded. */
  stop(): void {
    this.stopping = true;
  }

  private async reserveUpTo(i: number): Promise<void> {
    while (i >= this.deps.state.reserved) {
      this.reserving ??= this.record({ reserve: this.deps.state.reserved + RESERVE_STEP }).finally(() => (this.reserving = undefined));
      await this.reserving;
    }
  }

  private async process(i: number): Promise<void> {
    const input = this.deps.state.list.inputs[i];
    let outcome = await inputFailure(this.score(input));
    if (input.table === undefined) {
      if (outcome.ok) outcome = await inputFailure(this.putResult(input, outcome.answer ?? '').then(() => outcome));
      await this.record(outcome.ok ? { i, ok: true } : { i, ok: false, error: outcome.error });
      return;
    }
    await this.record(outcome.ok ? { i, ok: true, answer: outcome.answer ?? '' } : { i, ok: false, error: outcome.error });
    if (this.deps.state.tableComplete(input.table)) await this.writeTable(input.table);
  }

  /** The instance's answer to one input, or why there is none. */
  private async score(input: BatchInput): Promise<Outcome> {
    if (input.problem) return { ok: false, error: input.problem };
    const body = await this.bodyOf(input);
    for (let sends = 1; ; sends++) {
      const slot = await this.deps.instances.acquire().catch((err: Error) => {
        throw new TaskFailure(err.message);
      });
      let answered = false;
      try {
        const answer = await postToInstance(this.deps.instances.agent, this.deps.instances.address(slot), body);
        answered = true;
        return answer.status < 300 ? { ok: true, answer: answer.text } : { ok: false, error: errorMessageOf(answer) };
      } catch (err) {
        if (!(err instanceof InstanceUnavailable) || sends >= MAX_SENDS) throw err;
      } finally {
        this.deps.instances.release(slot, answered);
      }
      await sleep(RESEND_DELAYS_MS[Math.min(sends, RESEND_DELAYS_MS.length) - 1]);
    }
  }

  private async bodyOf(input: BatchInput): Promise<OutgoingBody> {
    if (input.cells) {
      try {
        return rowBody(this.deps.api.contentType, requestFromRow(this.deps.settings.mapping_rule, input.cells));
      } catch (err) {
        if (err instanceof RowError) throw new Error(`row ${input.row}: ${err.message}`, { cause: err });
        throw err;
      }
    }
    if (input.size !== undefined && input.size > this.deps.maxBodyBytes) {
      throw new Error(`the file is ${input.size} bytes; a request takes at most ${this.deps.maxBodyBytes} (PREDICT_MAX_BODY_BYTES)`);
    }
    const content = await this.storage(`Download file failed`, () => this.deps.objects.get({ bucket: input.bucket!, key: input.key! }, this.deps.maxBodyBytes));
    return fileBody(this.deps.api.fileField!, path.posix.basename(input.key!), content);
  }

  private putResult(input: BatchInput, text: string): Promise<void> {
    return this.storage('Writing the result failed', () => this.deps.objects.put(this.deps.state.resultUrl(input), text, 'text/plain; charset=utf-8'));
  }

  private async writeTable(t: number): Promise<void> {
    const table = this.deps.state.list.tables[t];
    const url = this.deps.state.resultUrl(this.deps.state.list.inputs[table.first] ?? { source: table.source, result: table.result });
    await this.storage('Writing the result failed', () => this.deps.objects.put(url, this.deps.state.tableText(t), 'text/plain; charset=utf-8'));
    await this.record({ table: t });
  }

  /** A store call: an unreachable or full store ends the batch; anything else fails this input with `what`. */
  private async storage<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof StorageError && (err.reason === 'unavailable' || err.reason === 'full')) throw new TaskFailure(`the object store failed: ${err.message}`, { cause: err });
      throw new Error(`${what}: ${(err as Error).message}`, { cause: err });
    }
  }

  private async record(entry: JournalEntry): Promise<void> {
    await this.deps.journal.append(entry);
    this.release(this.deps.state.apply(entry));
  }

  private release(lines: Record<string, unknown>[]): void {
    for (const line of lines) this.deps.manifest.add(line);
  }
}

/** The outcome of `work`, or a failure of this input when it throws (a TaskFailure ends the batch instead). */
function inputFailure(work: Promise<Outcome>): Promise<Outcome> {
  return work.catch((err: unknown) => {
    if (err instanceof TaskFailure) throw err;
    return { ok: false, error: (err as Error).message };
  });
}
