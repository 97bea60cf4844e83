/**
 * Serialises async critical sections per key; sections under different keys run freely.
 * Commits to one object or record (rename of its metadata, index update, removal of the
 * replaced data) run one at a time, so what is in memory always agrees with the file that
 * won the last rename. A section that throws releases the key like one that returns.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const tail = new Promise<void>((resolve) => (release = resolve));
    this.tails.set(key, tail);
    await previous;
    try {
      return await section();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
