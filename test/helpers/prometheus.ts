/**
 * A strict reader of Prometheus' text exposition format (version 0.0.4), for tests:
 * it throws on anything a Prometheus server would refuse — a malformed line, name,
 * label or value, a sample before its TYPE or of another family, a series given twice,
 * histogram buckets that are not cumulative or whose +Inf bucket differs from _count.
 */
export interface Series {
  /** The sample's own name (`x_bucket`, `x_sum` … for histograms). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  series: Series[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

export function parseMetrics(text: string): Family[] {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let current: Family | undefined;
  text.split('\n').forEach((line, i) => {
    const fail = (why: string) => new Error(`line ${i + 1} (${JSON.stringify(line)}): ${why}`);
    if (line.trim() === '') return;
    const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (meta) {
      const [, kind, name, rest = ''] = meta;
      if (!NAME.test(name)) throw fail('not a metric name');
      const family = families.get(name) ?? { name, help: '', type: 'untyped' as const, series: [] };
      if (kind === 'TYPE') {
        if (!TYPES.includes(rest.trim())) throw fail('not a metric type');
        if (family.series.length) throw fail('TYPE after samples');
        family.type = rest.trim() as Family['type'];
      } else {
        family.help = rest;
      }
      families.set(name, family);
      current = family;
      return;
    }
    if (line.startsWith('#')) return;
    const sample = parseSample(line, fail);
    const family = familyOf(sample.name, current);
    if (!family) throw fail(`sample of ${sample.name} outside its family (${current?.name ?? 'none'})`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) throw fail('series given twice');
    seen.add(key);
    family.series.push(sample);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return [...families.values()];
}

function familyOf(name: string, current: Family | undefined): Family | undefined {
  if (!current) return undefined;
  if (name === current.name) return current.type === 'histogram' ? undefined : current;
  const suffixes = current.type === 'histogram' ? ['_bucket', '_sum', '_count'] : current.type === 'summary' ? ['_sum', '_count'] : [];
  return suffixes.some((s) => name === current.name + s) ? current : undefined;
}

function parseSample(line: string, fail: (why: string) => Error): Series {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/.exec(line);
  if (!m) throw fail('not a sample');
  const labels: Record<string, string> = {};
  let rest = m[3] ?? '';
  while (rest.length) {
    const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
    if (!label || !LABEL.test(label[1])) throw fail(`bad labels at ${JSON.stringify(rest)}`);
    if (label[1] in labels) throw fail(`label ${label[1]} twice`);
    labels[label[1]] = label[2].replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(label[0].length);
  }
  return { name: m[1], labels, value: parseValue(m[4], fail) };
}

/** As Prometheus reads values (Go's ParseFloat): decimals, and NaN / Inf / Infinity in any case, signed or not. */
function parseValue(raw: string, fail: (why: string) => Error): number {
  const special = /^([+-]?)(nan|inf|infinity)$/i.exec(raw);
  if (special) return special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) throw fail('not a value');
  return Number(raw);
}

/** Per label set: buckets cumulative, an +Inf bucket, equal to _count. */
function checkHistogram(f: Family): void {
  const groups = new Map<string, Series[]>();
  for (const s of f.series) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  for (const [key, series] of groups) {
    const buckets = series.filter((s) => s.name === `${f.name}_bucket`).map((s) => ({ le: Number(s.labels.le === '+Inf' ? Infinity : s.labels.le), value: s.value }));
    const count = series.find((s) => s.name === `${f.name}_count`)?.value;
    if (!buckets.length || buckets[buckets.length - 1].le !== Infinity) throw new Error(`${f.name}${key}: no +Inf bucket`);
    buckets.forEach((b, i) => {
      if (i && (b.le <= buckets[i - 1].le || b.value < buckets[i - 1].value)) throw new Error(`${f.name}${key}: buckets are not cumulative`);
    });
    if (count !== buckets[buckets.length - 1].value) throw new Error(`${f.name}${key}: _count ${count} differs from the +Inf bucket`);
  }
}

/** The sum over the series named `sample` (default: the family's own name) whose labels include `labels`; undefined when none. */
export function sampleValue(families: Family[], family: string, sample: 'value' | 'count' | 'sum' = 'value', labels: Record<string, string> = {}): number | undefined {
  const name = sample === 'value' ? family : `${family}_${sample}`;
  const matching = (families.find((f) => f.name === family)?.series ?? []).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return matching.length ? matching.reduce((sum, s) => sum + s.value, 0) : undefined;
}

/** A service's model calls (count) and the rows they ran (sum), from its batch-size histogram. */
export async function batchSizes(address: string): Promise<{ count: number; sum: number }> {
  const families = parseMetrics(await (await fetch(`${address}metrics`)).text());
  return { count: sampleValue(families, 'modelarts_service_batch_size', 'count') ?? 0, sum: sampleValue(families, 'modelarts_service_batch_size', 'sum') ?? 0 };
}
