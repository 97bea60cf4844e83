/**
 * A Prometheus histogram for the hot path of an instance: a series is looked up once
 * and then observed with a bucket search and three additions (prom-client's own
 * histogram checks and hashes the labels on every observation, which showed in the
 * profile of a prediction). It is registered in a prom-client Registry, to which it
 * renders as prom-client's histograms do (so AggregatorRegistry can sum instances);
 * with `countName` it also renders each series' count as a counter of that name.
 */
import type { Registry } from 'prom-client';

export interface Series {
  observe(value: number): void;
}

interface State {
  labels: Record<string, string>;
  buckets: Float64Array;
  sum: number;
  count: number;
}

interface Value {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

export class SeriesHistogram {
  private readonly series = new Map<string, State>();

  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
    private readonly counter?: { name: string; help: string },
  ) {
    registry.registerMetric(this.metric(name, help, 'histogram', () => this.histogramValues()) as never);
    if (counter) registry.registerMetric(this.metric(counter.name, counter.help, 'counter', () => this.countValues()) as never);
  }

  /** The series of these labels (made on first use). */
  of(labels: Record<string, string>): Series {
    const key = JSON.stringify(labels);
    let state = this.series.get(key);
    if (!state) {
      state = { labels, buckets: new Float64Array(this.bounds.length), sum: 0, count: 0 };
      this.series.set(key, state);
    }
    const s = state;
    const bounds = this.bounds;
    return {
      observe(value: number): void {
        let i = 0;
        while (i < bounds.length && value > bounds[i]) i++;
        if (i < bounds.length) s.buckets[i]++;
        s.sum += value;
        s.count++;
      },
    };
  }

  private metric(name: string, help: string, type: string, values: () => Value[]) {
    return { name, help, type, aggregator: 'sum', get: async () => ({ name, help, type, aggregator: 'sum', values: values() }) };
  }

  private histogramValues(): Value[] {
    const out: Value[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.buckets[i];
        out.push({ labels: { ...s.labels, le }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      out.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${this.name}_bucket` });
      out.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      out.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return out;
  }

  private countValues(): Value[] {
    return [...this.series.values()].map((s) => ({ labels: s.labels, value: s.count, metricName: this.counter!.name }));
  }
}
