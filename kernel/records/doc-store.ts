import fsp from 'node:fs/promises';
import path from 'node:path';
import { KeyedLock, writeFileAtomic } from '@modelarts-local/durable';
import { PlatformError } from '../errors';

export interface Doc {
  id: string;
}

/**
 * Durable records of one kind (jobs, models, services): one JSON document per record,
 * written atomically (temp file flushed, renamed, directory flushed), so a `kill -9` at any moment
 * leaves either the old or the new document, never a torn one. All records are kept in
 * memory too; writes to one record are serialised, so no update is lost.
 */
export class DocStore<T extends Doc> {
  private readonly docs = new Map<string, T>();
  private readonly mutex = new KeyedLock();
  private readonly dir: string;

  constructor(root: string, readonly kind: string) {
    this.dir = path.join(root, kind);
  }

  async load(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    for (const name of await fsp.readdir(this.dir)) {
      const file = path.join(this.dir, name);
      if (name.includes('.tmp-')) {
        await fsp.rm(file, { force: true });
        continue;
      }
      if (!name.endsWith('.json')) continue;
      const doc = JSON.parse(await fsp.readFile(file, 'utf8')) as T;
      this.docs.set(doc.id, doc);
    }
  }

  get(id: string): T | undefined {
    const doc = this.docs.get(id);
    return doc && structuredClone(doc);
  }

  /** The record itself, uncopied, for hot paths that only read it; never mutate it. */
  peek(id: string): Readonly<T> | undefined {
    return this.docs.get(id);
  }

  /** The id of the first record for which `predicate` holds, without copying any. */
  findId(predicate: (doc: Readonly<T>) => boolean): string | undefined {
    for (const doc of this.docs.values()) if (predicate(doc)) return doc.id;
    return undefined;
  }

  /** Snapshot of every record; callers may sort and filter freely. */
  list(): T[] {
    return [...this.docs.values()].map((d) => structuredClone(d));
  }

  find(predicate: (doc: T) => boolean): T | undefined {
    for (const doc of this.docs.values()) if (predicate(doc)) return structuredClone(doc);
    return undefined;
  }

  /**
   * Records `doc` unless a record for which `conflicts` holds exists; returns the
   * conflicting record instead. Creations of one kind are serialised, so two
   * simultaneous creations can never both pass the check.
   */
  async createUnique(doc: T, conflicts: (existing: T) => boolean): Promise<{ created: T } | { conflict: T }> {
    return this.mutex.run('\0create', async () => {
      const existing = this.find(conflicts);
      if (existing) return { conflict: existing };
      await this.write(doc);
      return { created: structuredClone(doc) };
    });
  }

  async create(doc: T): Promise<T> {
    const result = await this.createUnique(doc, () => false);
    return (result as { created: T }).created;
  }

  /**
   * Applies `mutate` to the current record and persists the result. Throws
   * whatever `mutate` throws, leaving the record unchanged.
   */
  async update(id: string, mutate: (doc: T) => void): Promise<T> {
    return this.mutex.run(id, async () => {
      const current = this.docs.get(id);
      if (!current) throw new MissingDocError(this.kind, id);
      const next = structuredClone(current);
      mutate(next);
      await this.write(next);
      return structuredClone(next);
    });
  }

  async delete(id: string): Promise<void> {
    await this.mutex.run(id, async () => {
      await fsp.rm(this.file(id), { force: true });
      this.docs.delete(id);
    });
  }

  private file(id: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`invalid record id ${JSON.stringify(id)}`);
    return path.join(this.dir, `${id}.json`);
  }

  private async write(doc: T): Promise<void> {
    // On failure (a full disk, say) no half-written file stays behind taking space.
    await writeFileAtomic(this.file(doc.id), JSON.stringify(doc, null, 1));
    this.docs.set(doc.id, structuredClone(doc));
  }
}

export class MissingDocError extends PlatformError {
  constructor(readonly kind: string, readonly id: string) {
    super(`${kind} record ${id} does not exist`);
  }
}
