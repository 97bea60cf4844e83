import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { ifExists } from '../../kernel/util/drop';

/** A report from a boot file: numbers by name (step, loss, accuracy …) and when it came. */
export type MetricPoint = Record<string, number>;

const MAX_METRIC_POINTS = 100_000;
const MAX_LINE_BYTES = 64 * 1024;
const MAX_FIELDS = 64;

/**
 * Collects the JSON lines a boot file writes to its metrics channel (fd 3) into a
 * JSON-lines file. Only finite numbers are kept; anything else on a line is ignored.
 */
export class MetricsSink {
  private pending = '';
  private count = 0;
  private latest: MetricPoint | undefined;
  private readonly out: fs.WriteStream;
  ignoredLines = 0;

  constructor(readonly file: string, private readonly onPoint?: (p: MetricPoint) => void) {
    this.out = fs.createWriteStream(file, { flags: 'a' });
  }

  feed(chunk: Buffer): void {
    this.pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) !== -1) {
      this.line(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
    }
    if (this.pending.length > MAX_LINE_BYTES) {
      this.pending = '';
      this.ignoredLines++;
    }
  }

  private line(text: string): void {
    if (!text.trim()) return;
    const point = parsePoint(text);
    if (!point || this.count >= MAX_METRIC_POINTS) {
      this.ignoredLines++;
      return;
    }
    this.count++;
    this.latest = point;
    this.out.write(JSON.stringify(point) + '\n');
    this.onPoint?.(point);
  }

  get points(): number {
    return this.count;
  }

  get last(): MetricPoint | undefined {
    return this.latest;
  }

  async close(): Promise<void> {
    if (this.pending) this.line(this.pending);
    this.pending = '';
    await new Promise<void>((resolve) => this.out.end(resolve));
  }
}

function parsePoint(text: string): MetricPoint | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const point: MetricPoint = {};
  for (const [k, v] of Object.entries(value).slice(0, MAX_FIELDS)) {
    if (typeof v === 'number' && Number.isFinite(v) && k.length <= 64) point[k] = v;
  }
  if (Object.keys(point).length === 0) return undefined;
  point.time ??= Date.now();
  return point;
}

export async function readMetrics(file: string): Promise<MetricPoint[]> {
  const text = (await ifExists(fsp.readFile(file, 'utf8'))) ?? '';
  return text
    .split('\n')
    .filter((l) => l)
    .map((l) => JSON.parse(l) as MetricPoint);
}
