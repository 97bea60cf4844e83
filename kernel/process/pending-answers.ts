/**
 * Questions sent to another process over its IPC channel, each with an id, and their
 * answers as they come back with it. A question not answered in time fails with
 * `timeoutMessage`, so a caller never waits on a process that cannot answer.
 */
export class PendingAnswers<T> {
  private lastId = 0;
  private readonly waiting = new Map<number, (answer: T) => void>();

  constructor(
    private readonly timeoutMs: number,
    private readonly timeoutMessage: string,
  ) {}

  /** Sends a question with a fresh id (`send` does the sending); resolves with its answer. */
  ask(send: (id: number) => void): Promise<T> {
    const id = ++this.lastId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(this.timeoutMessage));
      }, this.timeoutMs);
      this.waiting.set(id, (answer) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(answer);
      });
      send(id);
    });
  }

  /** An answer to question `id`; one that comes too late, or twice, is ignored. */
  answer(id: number, value: T): void {
    this.waiting.get(id)?.(value);
  }
}
