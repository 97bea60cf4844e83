import type { ObjectStore } from '../../kernel/storage/object-store';
import { formatObsUrl } from '../../kernel/storage/obs-url';
import { dropLogged } from '../../kernel/util/drop';
import type { TaskOutputs } from './batch-paths';

/** How often, at most, the manifest part being filled is written again while lines come in. */
const MANIFEST_FLUSH_MS = 500;

/**
 * infer-result-{task_id}.manifest, one JSON line per input in the order they ended,
 * continued in infer-result-{task_id}_1.manifest, _2 … every `linesPerPart` lines. The
 * lines come from the task's journal, so after a restart every part is written again with
 * the same lines first: a line is never in two places. Objects cannot be appended to, so
 * the part being filled is written whole again (at most every MANIFEST_FLUSH_MS); a full
 * part is written once more at most, then never again.
 */
export class ResultManifest {
  private readonly lines: string[] = [];
  /** Lines of each part already in the store. */
  private readonly written: number[] = [];
  private flushing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private lastFlush = 0;
  /** Set by flush(): the task is over, nothing is written in the background any more. */
  private finished = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly outputs: TaskOutputs,
    private readonly linesPerPart: number,
  ) {}

  get count(): number {
    return this.lines.length;
  }

  /** The parts that hold lines, as obs:// URLs. */
  parts(): string[] {
    const n = Math.max(1, Math.ceil(this.lines.length / this.linesPerPart));
    return Array.from({ length: n }, (_, p) => formatObsUrl(this.outputs.manifest(p)));
  }

  /** Adds a line; it reaches the store with the next flush, which this schedules. */
  add(line: Record<string, unknown>): void {
    this.lines.push(JSON.stringify(line));
    this.schedule();
  }

  /** Writes every part that changed (and an empty first part when there is no line), now. */
  async flush(): Promise<void> {
    this.finished = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.writeChanged();
  }

  private schedule(): void {
    if (this.timer || this.flushing || this.finished) return;
    const wait = Math.max(0, this.lastFlush + MANIFEST_FLUSH_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A failed background write is tried again by the next one, and by the final flush.
      this.flushing = dropLogged(this.writeChanged(), 'writing the result manifest').then(() => {
        this.flushing = undefined;
        if (this.unwritten()) this.schedule();
      });
    }, wait);
  }

  private unwritten(): boolean {
    return this.written.reduce((a, b) => a + b, 0) < this.lines.length;
  }

  private async writeChanged(): Promise<void> {
    this.lastFlush = Date.now();
    const parts = Math.max(1, Math.ceil(this.lines.length / this.linesPerPart));
    for (let p = 0; p < parts; p++) {
      const lines = this.lines.slice(p * this.linesPerPart, (p + 1) * this.linesPerPart);
      if (this.written[p] === lines.length) continue;
      await this.store.put(this.outputs.manifest(p), lines.length ? `${lines.join('\n')}\n` : '', 'application/json');
      this.written[p] = lines.length;
    }
  }
}
