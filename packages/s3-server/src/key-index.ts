/**
 * The sorted set of keys in one bucket, with S3's listing semantics. Keys are ordered by
 * Unicode code point, which is the UTF-8 byte order S3 lists in (JavaScript's own string
 * order differs for characters beyond U+FFFF).
 */

export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Moves surrogates (0xD800-0xDFFF) above 0xE000-0xFFFF, where their code points belong. */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

export interface ListQuery {
  prefix: string;
  delimiter: string;
  /** List only what sorts after this: a marker, start-after or continuation point. */
  after: string;
  maxKeys: number;
}

export interface ListPage<T> {
  entries: Array<{ key: string; value: T }>;
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned, where the next page resumes. */
  last?: string;
}

export class KeyIndex<T> {
  private readonly keys: string[] = [];
  private readonly values = new Map<string, T>();

  /** Builds an index in one sort, where inserting one by one would cost O(n²) at start-up. */
  static from<T>(entries: Iterable<[string, T]>): KeyIndex<T> {
    const index = new KeyIndex<T>();
    for (const [key, value] of entries) index.values.set(key, value);
    for (const key of [...index.values.keys()].sort(compareKeys)) index.keys.push(key);
    return index;
  }

  get size(): number {
    return this.values.size;
  }

  get(key: string): T | undefined {
    return this.values.get(key);
  }

  set(key: string, value: T): void {
    if (!this.values.has(key)) this.keys.splice(this.firstAtOrAfter(key), 0, key);
    this.values.set(key, value);
  }

  delete(key: string): void {
    if (!this.values.delete(key)) return;
    this.keys.splice(this.firstAtOrAfter(key), 1);
  }

  list(q: ListQuery): ListPage<T> {
    const page: ListPage<T> = { entries: [], commonPrefixes: [], isTruncated: false };
    if (q.maxKeys <= 0) return page;
    let i = Math.max(this.firstAtOrAfter(q.prefix), this.firstAfter(q.after));
    let count = 0;
    while (i < this.keys.length && this.keys[i].startsWith(q.prefix)) {
      const key = this.keys[i];
      const cut = q.delimiter === '' ? -1 : key.indexOf(q.delimiter, q.prefix.length);
      const item = cut < 0 ? key : key.slice(0, cut + q.delimiter.length);
      // A common prefix at or before `after` was returned by an earlier page.
      const seen = cut >= 0 && q.after !== '' && compareKeys(item, q.after) <= 0;
      if (!seen) {
        if (count === q.maxKeys) {
          page.isTruncated = true;
          break;
        }
        if (cut < 0) page.entries.push({ key, value: this.values.get(key) as T });
        else page.commonPrefixes.push(item);
        page.last = item;
        count += 1;
      }
      i = cut < 0 ? i + 1 : this.firstWithoutPrefix(item, i);
    }
    return page;
  }

  /** Index of the first key >= `key`. */
  private firstAtOrAfter(key: string): number {
    return this.search((k) => compareKeys(k, key) < 0);
  }

  /** Index of the first key > `key`. */
  private firstAfter(key: string): number {
    return this.search((k) => compareKeys(k, key) <= 0);
  }

  /** Keys sharing a prefix are contiguous: skip them all in one search. */
  private firstWithoutPrefix(prefix: string, from: number): number {
    return this.search((k) => k.startsWith(prefix) || compareKeys(k, prefix) < 0, from);
  }

  /** First index where `before` turns false; `before` must be true then false along the array. */
  private search(before: (key: string) => boolean, low = 0): number {
    let lo = low;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.keys[mid])) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
