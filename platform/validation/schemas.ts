import fs from 'node:fs';
import path from 'node:path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { Problem } from '../errors';
import { repoPath } from '../paths';

/**
 * The JSON Schemas in `schemas/`, compiled once. Schemas may carry `x-message` on a
 * property: that sentence replaces ajv's generic one, so users read what to do.
 */
export class Schemas {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(dir = repoPath('schemas')) {
    this.ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    this.ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
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

  /** Every problem of `value` against schema `id`; empty when it is valid. */
  check(id: string, value: unknown): Problem[] {
    const fn = this.validator(id);
    return fn(value) ? [] : problemsFromAjv(fn.errors ?? []);
  }
}

export function jsonPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '(root)';
}

export function problemsFromAjv(errors: ErrorObject[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const p = describe(e);
    const key = `${p.path}\0${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(p);
    }
  }
  return problems;
}

function describe(e: ErrorObject): Problem {
  const params = e.params as Record<string, unknown>;
  const custom = (e.parentSchema as Record<string, unknown> | undefined)?.['x-message'];
  switch (e.keyword) {
    case 'required':
      return { path: jsonPath(e.instancePath, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return {
        path: jsonPath(e.instancePath, String(params.additionalProperty)),
        message: `is not a known field here${custom ? `; ${String(custom)}` : ''}`,
      };
    case 'enum':
      return {
        path: jsonPath(e.instancePath),
        message: (custom as string) ?? `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'type':
      return { path: jsonPath(e.instancePath), message: `must be ${article(String(params.type))}` };
    default:
      return { path: jsonPath(e.instancePath), message: typeof custom === 'string' ? custom : (e.message ?? 'is not valid') };
  }
}

function article(type: string): string {
  const names = type.split(',').map((t) => (t === 'integer' ? 'a whole number' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`));
  return names.join(' or ');
}
