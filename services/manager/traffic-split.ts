/**
 * Splits requests among keys (models) by weight with smooth weighted round robin, as
 * nginx does: over every sum-of-weights picks each key is chosen exactly its weight's
 * number of times, interleaved (70/30 gives A A B A A B A A B A …, not 7 A then 3 B).
 * Keys without an instance to take the request are skipped and their turn goes on.
 */
export class TrafficSplit {
  private readonly current = new Map<string, number>();

  constructor(private readonly weights: ReadonlyMap<string, number>) {}

  next(available: (key: string) => boolean): string | undefined {
    let best: string | undefined;
    let total = 0;
    for (const [key, weight] of this.weights) {
      if (!available(key)) continue;
      const value = (this.current.get(key) ?? 0) + weight;
      this.current.set(key, value);
      total += weight;
      if (best === undefined || value > this.current.get(best)!) best = key;
    }
    if (best !== undefined) this.current.set(best, this.current.get(best)! - total);
    return best;
  }
}
