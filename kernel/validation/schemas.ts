import fs from 'node:fs';
import path from 'node:path';
import Ajv, { ErrorObject, KeywordDefinition, SchemaValidateFunction, ValidateFunction } from 'ajv';
import { ApiError, Problem } from '../errors';
import { repoPath } from '../paths';
import { bucketNameProblem } from '@modelarts-local/s3-server/names';

/**
 * The JSON Schemas in `schemas/`, compiled once. Schemas may carry `x-message` on a
 * property: that sentence replaces ajv's generic one, so users read what to do.
 * `x-messages` does the same per keyword (`{"required": "...", "type": "..."}`, and for
 * `required` also per missing property), for nodes where one sentence cannot fit every
 * failure. `x-tolerate` is read by `readTolerantly` (tolerant.ts), not by ajv.
 */
export class Schemas {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private userAjv?: Ajv;

  constructor(dir = repoPath('schemas')) {
    this.ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    this.ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
    this.ajv.addKeyword({ keyword: 'x-messages', schemaType: 'object' });
    this.ajv.addKeyword({ keyword: 'x-tolerate', schemaType: 'array' });
    // An obs:// URL: checked by the handler (parseObsUrl), which names the rule it breaks; the OpenAPI documents state it as a pattern.
    this.ajv.addKeyword({ keyword: 'x-obs-url', schemaType: 'boolean' });
    this.ajv.addKeyword(bucketNameKeyword());
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.schema.json'))) {
      const schema = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Record<string, unknown>;
      this.ajv.addSchema(schema, name.replace(/\.schema\.json$/, ''));
    }
  }

  validator(id: string): ValidateFunction {
    let fn = this.compiled.get(id);
    if (!fn) {
      const found = this.ajv.getSchema(id);
      if (!found) throw new Error(`no schema named ${id} in schemas/`);
      fn = found;
      this.compiled.set(id, fn);
    }
    return fn;
  }

  /** The schema document `id` as written (for code that walks it, e.g. tolerant reading). */
  schema(id: string): Record<string, unknown> {
    return this.validator(id).schema as Record<string, unknown>;
  }

  /** `value` as a T when it is valid against schema `id`; otherwise a 400 listing every problem. */
  parse<T>(id: string, value: unknown): T {
    const problems = this.check(id, value);
    if (problems.length) {
      throw new ApiError('invalid_request', `the request has ${problems.length} problem${problems.length === 1 ? '' : 's'}; see errors`, problems);
    }
    return value as T;
  }

  /** Every problem of `value` against schema `id`; empty when it is valid. */
  check(id: string, value: unknown): Problem[] {
    const fn = this.validator(id);
    return fn(value) ? [] : problemsFromAjv(fn.errors ?? []);
  }

  /**
   * Problems of a JSON Schema that a user wrote (paths relative to the schema): first
   * against the draft-07 meta-schema, then by compiling it, because the meta-schema lets
   * through things that only fail later (an invalid regular expression in `pattern`).
   * User schemas get an ajv of their own and are dropped after the check, so many checks
   * do not grow a cache, and `$id` is refused because ajv files schemas by it: a user's
   * `$id` could then displace a schema of the platform's.
   */
  checkSchema(schema: unknown): Problem[] {
    const meta = typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>).$schema : undefined;
    if (meta !== undefined && String(meta).replace(/#$/, '') !== DRAFT_07) {
      return [{ path: '$schema', message: `names a JSON Schema version that is not read here; write ${DRAFT_07}# or leave it out` }];
    }
    if (JSON.stringify(schema).includes('"$id"')) return [{ path: '(root)', message: 'must not use $id here; remove it' }];
    // Formats are not checked (no format plugin), and ajv would log each one it skips.
    const ajv = (this.userAjv ??= new Ajv({ allErrors: true, strict: false, verbose: true, validateFormats: false }));
    try {
      if (!ajv.validateSchema(schema as object)) return problemsFromAjv(ajv.errors ?? []);
      ajv.compile(schema as object);
      return [];
    } catch (err) {
      return [{ path: '(root)', message: `is not a usable JSON Schema: ${(err as Error).message}` }];
    } finally {
      if (typeof schema === 'object' && schema !== null) ajv.removeSchema(schema);
    }
  }
}

const DRAFT_07 = 'http://json-schema.org/draft-07/schema';

/** `"x-bucket-name": true`: the string must name a bucket, by the rules obs:// URLs and the store use. */
function bucketNameKeyword(): KeywordDefinition {
  const validate: SchemaValidateFunction = (enabled: boolean, data: unknown) => {
    const problem = enabled && typeof data === 'string' ? bucketNameProblem(data) : undefined;
    validate.errors = problem ? [{ keyword: 'x-bucket-name', message: `is not a valid bucket name: a bucket name ${problem}`, params: {} }] : [];
    return !problem;
  };
  return { keyword: 'x-bucket-name', type: 'string', schemaType: 'boolean', errors: true, validate };
}

/** A path in the same notation as `jsonPath`, from keys and array indexes. */
export function pathFrom(segments: readonly (string | number)[]): string {
  let out = '';
  for (const p of segments) out += typeof p === 'number' || /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '(root)';
}

/** `relative` (a path inside the value at `prefix`) as a path from the root. */
export function joinPath(prefix: string, relative: string): string {
  if (prefix === '(root)') return relative;
  if (relative === '(root)') return prefix;
  return relative.startsWith('[') ? prefix + relative : `${prefix}.${relative}`;
}

function jsonPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return pathFrom(parts);
}

export function problemsFromAjv(errors: ErrorObject[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  // A combinator with its own sentence (`"x-messages": {"oneOf": …}`) says it once: its branches' errors would only list what each alternative lacks.
  const explained = errors.filter((e) => COMBINATORS.includes(e.keyword) && ((e.parentSchema as Record<string, Record<string, unknown> | undefined> | undefined)?.['x-messages']?.[e.keyword] ?? undefined) !== undefined);
  // A value of the wrong type is told its type: which of its fields to give means nothing yet.
  const mistyped = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  for (const e of errors) {
    if (COMBINATORS.includes(e.keyword) && mistyped.has(e.instancePath)) continue;
    // A failed `if`/`then` is reported by the `then` branch's own errors, which say what
    // to change; ajv's extra 'must match "then" schema' would only repeat it vaguely.
    if (e.keyword === 'if') continue;
    if (explained.some((c) => e.schemaPath.startsWith(`${c.schemaPath}/`) && e.instancePath === c.instancePath)) continue;
    const p = describe(e);
    const key = `${p.path}\0${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(p);
    }
  }
  return problems;
}

const COMBINATORS = ['oneOf', 'anyOf', 'not'];

function describe(e: ErrorObject): Problem {
  if (COMBINATORS.includes(e.keyword)) return describeCombinator(e, (e.parentSchema as Record<string, unknown> | undefined) ?? {});
  const params = e.params as Record<string, unknown>;
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  const custom = parent?.['x-message'];
  const specific = keywordMessage(parent?.['x-messages'], e.keyword, params.missingProperty);
  switch (e.keyword) {
    case 'required':
      return { path: jsonPath(e.instancePath, String(params.missingProperty)), message: specific ?? 'is required' };
    case 'additionalProperties':
      return {
        path: jsonPath(e.instancePath, String(params.additionalProperty)),
        message: specific ?? `is not a known field here${custom ? `; ${String(custom)}` : ''}`,
      };
    case 'enum':
      return {
        path: jsonPath(e.instancePath),
        message:
          specific ?? (custom as string) ?? `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'type':
      return { path: jsonPath(e.instancePath), message: specific ?? `must be ${article(String(params.type))}${quotedHint(e.data, String(params.type))}` };
    default:
      return { path: jsonPath(e.instancePath), message: specific ?? (typeof custom === 'string' ? custom : (e.message ?? 'is not valid')) };
  }
}

/**
 * An either-or rule between fields (`oneOf`/`anyOf` of `required` branches, `not` of a
 * `required`), told at the field to change: with none given, the first branch's; with too
 * many, the last one given. `"x-messages": {"oneOf": {"none": …, "both": …}}` says each case.
 */
function describeCombinator(e: ErrorObject, parent: Record<string, unknown>): Problem {
  const fields = (s: unknown) => (s as { required?: string[] } | undefined)?.required ?? [];
  const passing = (e.params as { passingSchemas?: number[] | null }).passingSchemas;
  const situation = e.keyword === 'not' || passing ? 'both' : 'none';
  const branches = parent[e.keyword] as unknown[] | undefined;
  const field = e.keyword === 'not' ? fields(parent.not).at(-1) : passing ? fields(branches?.[passing.at(-1)!])[0] : fields(branches?.[0])[0];
  const custom = parent['x-message'];
  const message = keywordMessage(parent['x-messages'], e.keyword, situation) ?? (typeof custom === 'string' ? custom : undefined) ?? e.message ?? 'is not valid';
  return { path: field ? jsonPath(e.instancePath, field) : jsonPath(e.instancePath), message };
}

function keywordMessage(messages: unknown, keyword: string, missingProperty: unknown): string | undefined {
  if (!messages || typeof messages !== 'object') return undefined;
  const m = (messages as Record<string, unknown>)[keyword];
  if (typeof m === 'string') return m;
  if (m && typeof m === 'object' && typeof missingProperty === 'string') {
    const perProperty = (m as Record<string, unknown>)[missingProperty];
    if (typeof perProperty === 'string') return perProperty;
  }
  return undefined;
}

/** `"0.9"` where a number belongs is the commonest type slip; say how to write it. */
function quotedHint(data: unknown, expected: string): string {
  if (typeof data !== 'string' || data.trim() === '') return '';
  const n = Number(data);
  const wantsNumber = expected.includes('number') ? Number.isFinite(n) : expected.includes('integer') && Number.isInteger(n);
  const wantsBoolean = expected.includes('boolean') && (data === 'true' || data === 'false');
  return wantsNumber || wantsBoolean ? ` (write ${data} without quotes)` : '';
}

function article(type: string): string {
  const names = type.split(',').map((t) => (t === 'integer' ? 'a whole number' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`));
  return names.join(' or ');
}
