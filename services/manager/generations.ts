/**
 * Every deploy or stop of a service opens a new generation, so late news from an older
 * one (a crash, a slow start, a restart's timer) cannot undo it. Closing (at shutdown)
 * makes every generation stale.
 */
export class Generations {
  private readonly generation = new Map<string, number>();
  private closed = false;

  next(id: string): number {
    const g = (this.generation.get(id) ?? 0) + 1;
    this.generation.set(id, g);
    return g;
  }

  current(id: string, g: number): boolean {
    return !this.closed && this.generation.get(id) === g;
  }

  /** The services that ever had a generation. */
  ids(): string[] {
    return [...this.generation.keys()];
  }

  close(): void {
    this.closed = true;
  }
}
