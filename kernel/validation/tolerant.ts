import { Problem } from '../errors';
import { nearest, typoAllowance } from '../util/spelling';
import { pathFrom } from './schemas';

/**
 * Reads a hand-written document against a JSON Schema the way a careful colleague
 * would: what can only mean one thing is read as that thing (and said, so the author
 * can fix it), the rest is left for the schema to refuse. The result is a canonical
 * copy that ajv then checks strictly, so the schema keeps describing the one right form.
 *
 * What is tolerated is decided by the schema, not by this code:
 * - a key that differs from a declared one only in case, or by a misspelling close to
 *   exactly one declared key that is not already there (`procotol` for `protocol`);
 * - a key declared nowhere in a closed object (one without `additionalProperties`) is
 *   dropped with a warning instead of failing, because the platforms these documents
 *   come from ignore such keys and files in the wild carry them;
 * - a string enum value that differs only in case or `-`/`_`/space (`pip` for `PIP`);
 * - per node, `x-tolerate` lists more: `case` (the value is case-insensitive by its own
 *   standard, so no warning), `typos` (a misspelling of exactly one allowed value),
 *   `parameters` (media type parameters such as `; charset=utf-8` are dropped),
 *   `numeric-string` and `boolean-string` (`"30"`, `"false"` read as 30, false).
 */
export interface TolerantRead {
  value: unknown;
  /** What was read differently from what was written, at the paths the author wrote. */
  warnings: Problem[];
  /** The path the author wrote for a path in `value` (they differ where keys were renamed). */
  originalPath(path: string): string;
}

export interface TolerantOptions {
  /** One more sentence for an undeclared key (say where it belongs). */
  hint?: (objectPath: (string | number)[], key: string) => string | undefined;
}

type Node = Record<string, unknown>;
type Segments = (string | number)[];

export function readTolerantly(value: unknown, schema: Node, options: TolerantOptions = {}): TolerantRead {
  const reader = new Reader(schema, options);
  const out = reader.read(value, schema, [], []);
  const renames = [...reader.renames].sort((a, b) => b[0].length - a[0].length);
  return {
    value: out,
    warnings: reader.warnings,
    originalPath(path: string): string {
      for (const [canonical, original] of renames) {
        if (path === canonical || path.startsWith(`${canonical}.`) || path.startsWith(`${canonical}[`)) return original + path.slice(canonical.length);
      }
      return path;
    },
  };
}

class Reader {
  readonly warnings: Problem[] = [];
  readonly renames = new Map<string, string>();
  /** Where each declared key name is declared, as `apis[].request`, for "belongs in" hints. */
  private readonly declaredAt = new Map<string, string[]>();

  constructor(
    private readonly root: Node,
    private readonly options: TolerantOptions,
  ) {
    this.indexDeclarations(root, [], new Set());
  }

  read(value: unknown, schemaRef: Node, canonical: Segments, original: Segments): unknown {
    const schema = this.resolve(schemaRef);
    const tolerate = Array.isArray(schema['x-tolerate']) ? (schema['x-tolerate'] as string[]) : [];
    if (typeof value === 'string') return this.readString(value, schema, tolerate, original);
    if (Array.isArray(value)) {
      const items = schema.items;
      return isNode(items) ? value.map((v, i) => this.read(v, items, [...canonical, i], [...original, i])) : value;
    }
    if (isNode(value) && isNode(schema.properties)) return this.readObject(value, schema, canonical, original);
    return value;
  }

  private readString(value: string, schema: Node, tolerate: string[], original: Segments): unknown {
    if (tolerate.includes('numeric-string') && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
    if (tolerate.includes('boolean-string') && (value === 'true' || value === 'false')) return value === 'true';
    const allowed = Array.isArray(schema.enum) ? schema.enum.filter((v): v is string => typeof v === 'string') : [];
    if (allowed.length === 0 || allowed.includes(value)) return value;
    let candidate = value.trim();
    if (tolerate.includes('parameters')) candidate = candidate.split(';')[0].trim();
    const silent = allowed.find((a) => (tolerate.includes('case') ? a.toLowerCase() === candidate.toLowerCase() : a === candidate));
    if (silent !== undefined) return silent;
    const loose = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
    const said =
      allowed.find((a) => loose(a) === loose(candidate)) ??
      (tolerate.includes('typos') ? nearest(candidate, allowed, typoAllowance(candidate.length)) : undefined);
    if (said === undefined) return value;
    this.warn(original, `${JSON.stringify(value)} is read as ${JSON.stringify(said)}; write ${JSON.stringify(said)}`);
    return said;
  }

  private readObject(value: Node, schema: Node, canonical: Segments, original: Segments): Node {
    const properties = schema.properties as Node;
    const declared = Object.keys(properties);
    const open = schema.additionalProperties !== undefined && schema.additionalProperties !== false;
    const taken = new Set(Object.keys(value).filter((k) => declared.includes(k)));
    const out: Node = {};
    for (const [key, child] of Object.entries(value)) {
      const target = declared.includes(key) ? key : open ? undefined : this.meant(key, declared, taken);
      if (target !== undefined) {
        if (target !== key) {
          taken.add(target);
          this.renames.set(pathFrom([...canonical, target]), pathFrom([...original, key]));
          const how = target.toLowerCase() === key.toLowerCase() ? 'the field is spelled' : 'a misspelling; write';
          this.warn([...original, key], `is read as ${JSON.stringify(target)} (${how} ${JSON.stringify(target)})`);
        }
        out[target] = this.read(child, properties[target] as Node, [...canonical, target], [...original, key]);
      } else if (open) {
        const extra = schema.additionalProperties;
        out[key] = isNode(extra) ? this.read(child, extra, [...canonical, key], [...original, key]) : child;
      } else {
        this.warn([...original, key], this.ignoredMessage(key, declared, taken, canonical));
      }
    }
    return out;
  }

  /** The declared key that `key` can only mean, if it is not already given. */
  private meant(key: string, declared: string[], taken: Set<string>): string | undefined {
    const match = closest(key, declared);
    return match !== undefined && !taken.has(match) ? match : undefined;
  }

  private ignoredMessage(key: string, declared: string[], taken: Set<string>, canonical: Segments): string {
    const same = closest(key, declared);
    if (same !== undefined && taken.has(same)) return `is ignored: it repeats ${JSON.stringify(same)}, which is already given`;
    let message = 'is not a known field here and is ignored';
    const close = nearest(key, declared, 3);
    const elsewhere = this.declaredAt.get(key) ?? [];
    if (elsewhere.length > 0) {
      // Declared in an object that encloses this one: the author closed a brace too late.
      const here = pattern(canonical);
      const misplaced = elsewhere.some((at) => at === key || here.startsWith(at.slice(0, -(key.length + 1))));
      const places = elsewhere.map((at) => (at === key ? 'at the top level' : `in ${at}`)).join(' or ');
      message += `; ${JSON.stringify(key)} belongs ${places}${misplaced ? ' (a closing brace may be misplaced)' : ''}`;
    } else if (close !== undefined) {
      message += `; did you mean ${JSON.stringify(close)}?`;
    }
    const extra = this.options.hint?.(canonical, key);
    return extra ? `${message}; ${extra}` : message;
  }

  private warn(at: Segments, message: string): void {
    this.warnings.push({ path: pathFrom(at), message });
  }

  private resolve(node: Node): Node {
    let current = node;
    for (let hops = 0; typeof current.$ref === 'string' && hops < 32; hops++) {
      const target = (current.$ref as string)
        .replace(/^#\/?/, '')
        .split('/')
        .filter(Boolean)
        .reduce<unknown>((at, part) => (isNode(at) ? at[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), this.root);
      if (!isNode(target)) break;
      current = target;
    }
    return current;
  }

  private indexDeclarations(ref: Node, at: Segments, visiting: Set<Node>): void {
    const node = this.resolve(ref);
    if (visiting.has(node)) return;
    visiting.add(node);
    if (isNode(node.properties)) {
      for (const [key, child] of Object.entries(node.properties)) {
        const where = pattern([...at, key]);
        this.declaredAt.set(key, [...(this.declaredAt.get(key) ?? []), where]);
        if (isNode(child)) this.indexDeclarations(child, [...at, key], visiting);
      }
    }
    if (isNode(node.items)) this.indexDeclarations(node.items, [...at, 0], visiting);
    visiting.delete(node);
  }
}

/** The declared key that `key` differs from only in case, or misspells. */
function closest(key: string, declared: string[]): string | undefined {
  return declared.find((d) => d.toLowerCase() === key.toLowerCase()) ?? nearest(key, declared, typoAllowance(key.length));
}

/** A path with every index shown as `[]`, naming a place in the schema rather than in one document. */
function pattern(segments: Segments): string {
  return pathFrom(segments.map((s) => (typeof s === 'number' ? 0 : s))).replace(/\[\d+\]/g, '[]');
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
