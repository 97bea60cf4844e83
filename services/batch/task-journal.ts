import fsp from 'node:fs/promises';
import { ifExists } from '../../kernel/util/drop';

/**
 * What a batch task has done, one JSON line per fact, appended and flushed to disk before
 * anything that depends on it: an input's outcome (after its result file is written), a
 * CSV table's result file written, and how far inputs may have been sent. A kill -9
 * leaves at most a torn last line, which opening cuts off.
 */
export type JournalEntry =
  /** Input i answered; a CSV row keeps its answer until its table's file is written. */
  | { i: number; ok: true; answer?: string }
  | { i: number; ok: false; error: string }
  /** Table t's result file is written (its rows' lines may go into the manifest). */
  | { table: number }
  /** Inputs from here on have not been sent to an instance yet. */
  | { reserve: number };

export class TaskJournal {
  private pending: { text: string; done: () => void; failed: (err: unknown) => void }[] = [];
  private writing = false;

  private constructor(private readonly handle: fsp.FileHandle) {}

  /** Opens (or creates) the journal; returns it with the entries it holds. */
  static async open(file: string): Promise<{ journal: TaskJournal; entries: JournalEntry[] }> {
    const text = (await ifExists(fsp.readFile(file, 'utf8'))) ?? '';
    const entries: JournalEntry[] = [];
    let good = 0;
    for (let start = 0; start < text.length; ) {
      const end = text.indexOf('\n', start);
      if (end === -1) break;
      try {
        entries.push(JSON.parse(text.slice(start, end)) as JournalEntry);
      } catch {
        break; // a torn line can only be the last one written; what follows it was never acknowledged
      }
      good = Buffer.byteLength(text.slice(0, end + 1));
      start = end + 1;
    }
    const handle = await fsp.open(file, 'a+');
    if (good < (await handle.stat()).size) await handle.truncate(good);
    return { journal: new TaskJournal(handle), entries };
  }

  /** Resolves once the entry is on disk; entries that arrive together share one write and one flush. */
  append(entry: JournalEntry): Promise<void> {
    return new Promise((done, failed) => {
      this.pending.push({ text: `${JSON.stringify(entry)}\n`, done, failed });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.handle.appendFile(batch.map((p) => p.text).join(''));
        await this.handle.datasync();
        for (const p of batch) p.done();
      } catch (err) {
        for (const p of batch) p.failed(err);
      }
    }
    this.writing = false;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
