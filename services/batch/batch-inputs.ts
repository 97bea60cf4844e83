import path from 'node:path';
import type { ObjectStore } from '../../kernel/storage/object-store';
import { asFolder, formatObsUrl, type ObsUrl } from '../../kernel/storage/obs-url';
import type { BatchSettings } from './batch-record';
import { parseBatchPath } from './batch-paths';
import { csvCells, csvLines, isHeader } from './csv-mapping';

/** The largest .manifest or .csv file a batch reads (ModelArts advises CSV files of at most 12 MB). */
const MAX_LISTING_FILE_BYTES = 64 * 1024 * 1024;

/** One request of the batch: a file, or a row of a CSV file. */
export interface BatchInput {
  /** As the result manifest's `source` says it (a manifest's own text, or obs://bucket/key). */
  source: string;
  bucket?: string;
  key?: string;
  /** Size from the listing, when known (to refuse a file larger than a request may be without reading it). */
  size?: number;
  /** The result file's name under infer-result-{task_id}/ (a CSV's rows share their table's). */
  result: string;
  /** For CSV rows: the table (index into `tables`), the row's place in it (from 0) and its cells. */
  table?: number;
  row?: number;
  cells?: string[];
  /** Why this input cannot be read at all (a manifest line with no usable source, a CSV that cannot be read). */
  problem?: string;
}

interface BatchTable {
  source: string;
  result: string;
  /** Its rows are inputs first … first + rows - 1. */
  first: number;
  rows: number;
}

export interface InputList {
  inputs: BatchInput[];
  tables: BatchTable[];
  /** What the events should say about the listing (objects left out, headers skipped). */
  notes: string[];
}

interface Source {
  source: string;
  url?: ObsUrl;
  size?: number;
  /** The result file's name before it is made unique. */
  name: string;
  problem?: string;
}

/** Every input of the batch, in a fixed order, read once when the batch starts. */
export async function listInputs(store: ObjectStore, settings: BatchSettings): Promise<InputList> {
  const src = parseBatchPath(settings.src_path);
  const notes: string[] = [];
  let sources = settings.src_type === 'ManifestFile' ? await manifestSources(store, src) : await folderSources(store, src);
  if (settings.mapping_type === 'csv' && settings.src_type !== 'ManifestFile') {
    const csv = sources.filter((s) => s.name.toLowerCase().endsWith('.csv'));
    if (csv.length < sources.length) notes.push(`${sources.length - csv.length} objects under src_path are not .csv files and were left out`);
    sources = csv;
  }
  const names = new UniqueNames();
  if (settings.mapping_type === 'file') {
    const inputs = sources.map((s): BatchInput => ({ source: s.source, ...objectOf(s), result: names.take(s.name), ...(s.problem && { problem: s.problem }) }));
    return { inputs, tables: [], notes };
  }
  return csvInputs(store, sources, settings.mapping_rule, names, notes);
}

function objectOf(s: Source): Pick<BatchInput, 'bucket' | 'key' | 'size'> {
  return s.url ? { bucket: s.url.bucket, key: s.url.key, ...(s.size !== undefined && { size: s.size }) } : {};
}

async function folderSources(store: ObjectStore, src: ObsUrl): Promise<Source[]> {
  const folder = asFolder(src);
  const objects = (await store.listAll(folder)).filter((o) => !o.key.endsWith('/'));
  return objects.map((o) => {
    const url = { bucket: folder.bucket, key: o.key };
    return { source: formatObsUrl(url), url, size: o.size, name: o.key.slice(folder.key.length) };
  });
}

/** A manifest's lines, `{"source": "obs://…"}` each; a line that names nothing readable fails alone. */
async function manifestSources(store: ObjectStore, manifest: ObsUrl): Promise<Source[]> {
  const text = (await store.getBuffer(manifest, MAX_LISTING_FILE_BYTES)).toString('utf8');
  return csvLines(text).map((line, i) => {
    let source: unknown;
    try {
      source = (JSON.parse(line) as { source?: unknown }).source;
    } catch (err) {
      return { source: line.slice(0, 200), name: `line-${i + 1}`, problem: `line ${i + 1} of the manifest is not JSON: ${(err as Error).message}` };
    }
    if (typeof source !== 'string') return { source: line.slice(0, 200), name: `line-${i + 1}`, problem: `line ${i + 1} of the manifest has no "source" string` };
    try {
      const url = parseBatchPath(source);
      return { source, url, name: path.posix.basename(url.key) || `line-${i + 1}` };
    } catch (err) {
      return { source, name: `line-${i + 1}`, problem: `Download file failed: ${(err as Error).message}` };
    }
  });
}

/** Each CSV's rows as inputs; a CSV that cannot be read is one failed input. */
async function csvInputs(store: ObjectStore, sources: Source[], rule: unknown, names: UniqueNames, notes: string[]): Promise<InputList> {
  const inputs: BatchInput[] = [];
  const tables: BatchTable[] = [];
  for (const s of sources) {
    const result = names.take(s.name);
    let lines: string[];
    try {
      if (s.problem || !s.url) throw new Error(s.problem ?? 'no source');
      lines = csvLines((await store.getBuffer(s.url, MAX_LISTING_FILE_BYTES)).toString('utf8'));
    } catch (err) {
      inputs.push({ source: s.source, ...objectOf(s), result, problem: s.problem ?? `Download file failed: ${(err as Error).message}` });
      continue;
    }
    let rows = lines.map(csvCells);
    if (rows.length && isHeader(rule, rows[0])) {
      rows = rows.slice(1);
      notes.push(`the first line of ${s.source} is a header (its number columns hold no numbers) and was left out`);
    }
    tables.push({ source: s.source, result, first: inputs.length, rows: rows.length });
    rows.forEach((cells, row) => inputs.push({ source: s.source, ...objectOf(s), result, table: tables.length - 1, row, cells }));
  }
  return { inputs, tables, notes };
}

/** `<name>_result.txt` names, made unique when two inputs share a file name (manifests may name any bucket). */
class UniqueNames {
  private readonly taken = new Set<string>();

  take(name: string): string {
    let candidate = `${name}_result.txt`;
    for (let n = 1; this.taken.has(candidate); n++) candidate = `${name}_${n}_result.txt`;
    this.taken.add(candidate);
    return candidate;
  }
}
