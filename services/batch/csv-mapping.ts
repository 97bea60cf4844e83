/**
 * CSV rows as requests, as ModelArts' batch services map them: `mapping_rule` is the
 * API's request data (a JSON Schema) whose string, number, integer and boolean leaves
 * carry `index`, the column (from 0) that fills them; `-1` leaves a field out.
 */
import { PlatformError } from '../../kernel/errors';

type Rule = { type?: string; index?: number; properties?: Record<string, Rule>; items?: Rule | Rule[] };

const SCALARS = ['string', 'number', 'integer', 'boolean'];

export class RowError extends PlatformError {}

/** One CSV line's cells: comma-separated, with RFC 4180 quotes ("a, b" and "" for a quote). */
export function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"' && (quoted || cell === '')) {
      quoted = !quoted;
    } else if (c === ',' && !quoted) {
      cells.push(cell);
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell);
  return cells.map((x) => x.trim());
}

/** The lines of a CSV file's text that hold data (blank lines and a trailing newline left out). */
export function csvLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
}

/** Every leaf of the rule that names a column: its JSON path, type and column. */
export function indexedLeaves(rule: unknown, path = ''): { path: string; type: string; index: number }[] {
  const r = rule as Rule;
  if (!r || typeof r !== 'object') return [];
  if (SCALARS.includes(r.type ?? '') && Number.isInteger(r.index) && r.index! >= 0) return [{ path, type: r.type!, index: r.index! }];
  const inProperties = Object.entries(r.properties ?? {}).flatMap(([k, v]) => indexedLeaves(v, path ? `${path}.${k}` : k));
  const items = Array.isArray(r.items) ? r.items : r.items ? [r.items] : [];
  return [...inProperties, ...items.flatMap((item, i) => indexedLeaves(item, `${path}[${i}]`))];
}

/** The request body for one row: the rule's shape with each indexed leaf filled from its column. */
export function requestFromRow(rule: unknown, cells: string[]): unknown {
  const r = rule as Rule;
  if (SCALARS.includes(r.type ?? '')) return cellValue(r, cells);
  if (r.type === 'array' || r.items) {
    const items = Array.isArray(r.items) ? r.items : r.items ? [r.items] : [];
    return items.map((item) => requestFromRow(item, cells)).filter((v) => v !== undefined);
  }
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(r.properties ?? {})) {
    const value = requestFromRow(child, cells);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function cellValue(rule: Rule, cells: string[]): unknown {
  const index = rule.index;
  if (index === undefined || index < 0 || !Number.isInteger(index)) return undefined;
  if (index >= cells.length) throw new RowError(`the row has ${cells.length} columns; mapping_rule reads column ${index} (from 0)`);
  return convert(cells[index], rule.type!, index);
}

function convert(cell: string, type: string, index: number): unknown {
  if (type === 'string') return cell;
  if (type === 'boolean') {
    const lower = cell.toLowerCase();
    if (lower === 'true' || lower === '1') return true;
    if (lower === 'false' || lower === '0') return false;
    throw new RowError(`column ${index} (${JSON.stringify(cell)}) is not a boolean (true, false, 1 or 0)`);
  }
  const n = cell === '' ? NaN : Number(cell);
  if (!Number.isFinite(n)) throw new RowError(`column ${index} (${JSON.stringify(cell)}) is not a number`);
  if (type === 'integer' && !Number.isInteger(n)) throw new RowError(`column ${index} (${JSON.stringify(cell)}) is not an integer`);
  return n;
}

/** A first line whose number, integer or boolean columns none parse is a header, not data. */
export function isHeader(rule: unknown, cells: string[]): boolean {
  const typed = indexedLeaves(rule).filter((l) => l.type !== 'string');
  if (!typed.length) return false;
  return typed.every((l) => {
    try {
      convert(cells[l.index] ?? '', l.type, l.index);
      return false;
    } catch {
      return true;
    }
  });
}
