import { Problem } from '../kernel/errors';
import { readJsonText } from '../kernel/validation/json-text';
import { Schemas, joinPath, pathFrom } from '../kernel/validation/schemas';
import { readTolerantly } from '../kernel/validation/tolerant';
import { JSON_SCHEMA_KEYWORDS, checkDataSchema } from './data-schema';
import { runtimeWarning } from './runtime-names';
import type { ApiMessage, HttpMethod, ModelConfig, PackageDependency } from './model-config';

export type { ApiMessage, ContentType, Dependency, HealthCheck, HttpMethod, ModelApi, ModelConfig, ModelMetrics, ModelType, PackageDependency } from './model-config';
export type { DataSchema } from './data-schema';

/**
 * The check of a model package's model/config.json at import. Import is where users
 * learn that a package is wrong, so every problem is reported at once, each at the
 * JSON path the author wrote, and what the file clearly means despite a slip is
 * accepted and said as a warning (see tolerant.ts and the x-tolerate marks in
 * schemas/model-config.schema.json for exactly what).
 */
export interface ConfigCheck {
  valid: boolean;
  problems: Problem[];
  warnings: Problem[];
  /** The normalised config, only when valid. */
  config?: ModelConfig;
}

const SCHEMA_ID = 'model-config';

let shared: Schemas | undefined;

/** `text` is the file's content. A JSON syntax error is one problem naming its line and column. */
export function checkModelConfigText(text: string, schemas?: Schemas): ConfigCheck {
  const read = readJsonText(text);
  const warnings: Problem[] = [];
  if (read.bom) {
    warnings.push({ path: '(root)', message: 'the file starts with a byte order mark, which was ignored; many JSON readers refuse it, so save the file as UTF-8 without BOM' });
  }
  if (read.error) {
    const { line, column, message } = read.error;
    return { valid: false, problems: [{ path: '(root)', message: `line ${line}, column ${column}: ${message}` }], warnings };
  }
  for (const d of read.duplicateKeys) {
    warnings.push({ path: pathFrom(d.path), message: `is written twice in the same object; the one at line ${d.line}, column ${d.column} is used` });
  }
  const check = checkModelConfig(read.value, schemas);
  return { ...check, warnings: [...warnings, ...check.warnings] };
}

export function checkModelConfig(value: unknown, schemas: Schemas = (shared ??= new Schemas())): ConfigCheck {
  const read = readTolerantly(value, schemas.schema(SCHEMA_ID), { hint: schemaKeywordHint });
  const found: Found = {
    problems: schemas.check(SCHEMA_ID, read.value).map((p) => ({ ...p, path: read.originalPath(p.path) })),
    warnings: [...read.warnings],
  };
  if (!isNode(read.value)) return { valid: false, ...found };
  const config = read.value;
  const at: PathOf = (...segments) => read.originalPath(pathFrom(segments));

  const apis = Array.isArray(config.apis) ? config.apis : [];
  apis.forEach((api, i) => {
    if (isNode(api)) checkBodies(api, i, schemas, at, found);
  });
  if (config.model_type === 'Image') checkImageModel(config, apis, at, found);
  found.warnings.push(...versionlessRestraints(config.dependencies, at));
  const runtime = runtimeWarning(config.runtime);
  if (runtime) found.warnings.push({ path: at('runtime'), message: runtime });

  if (found.problems.length > 0) return { valid: false, ...found };
  // A deep copy: parts of the canonical copy (enum lists in data schemas) are still the caller's.
  return { valid: true, ...found, config: structuredClone(normalised(config)) };
}

interface Found {
  problems: Problem[];
  warnings: Problem[];
}

/** The path the author wrote for a place in the canonical copy. */
type PathOf = (...segments: (string | number)[]) => string;

/** The data schemas of one api, which the config schema cannot check (they may type "file"). */
function checkBodies(api: Record<string, unknown>, i: number, schemas: Schemas, at: PathOf, found: Found): void {
  for (const role of ['request', 'response'] as const) {
    const message = api[role];
    if (!isNode(message) || !isNode(message.data)) continue;
    const data = checkDataSchema(message.data, role, schemas);
    const dataPath = at('apis', i, role, 'data');
    found.problems.push(...data.problems.map((p) => ({ path: joinPath(dataPath, p.path), message: p.message })));
    found.warnings.push(...data.warnings.map((p) => ({ path: joinPath(dataPath, p.path), message: p.message })));
    // `message` belongs to the canonical copy, so the author's value stays as it was.
    message.data = data.schema;
    const contentType = message['Content-type'];
    if (role !== 'request' || data.files.length === 0 || (contentType ?? 'application/json') !== 'application/json') continue;
    const files = `${data.files.map((f) => joinPath(dataPath, f)).join(', ')} ${data.files.length > 1 ? 'are files' : 'is a file'}`;
    const upload = 'files are uploaded as form fields, not sent in a JSON body';
    found.problems.push({
      path: at('apis', i, role, 'Content-type'),
      message:
        contentType === undefined
          ? `must be given as multipart/form-data (without it, application/json is assumed): ${files}, and ${upload}`
          : `must be multipart/form-data: ${files}, and ${upload}`,
    });
  }
}

function checkImageModel(config: Record<string, unknown>, apis: unknown[], at: PathOf, found: Found): void {
  if (config.swr_location === undefined) {
    // Documented as mandatory, but only for an import from OBS, and the documentation's
    // own custom-image examples leave it out: a warning, not a problem.
    found.warnings.push({
      path: 'swr_location',
      message: 'is not given: ModelArts needs the SWR address of the image to import an Image model from OBS (only an import from a container image may leave it out)',
    });
  }
  if (Array.isArray(config.dependencies) && config.dependencies.length > 0) {
    found.warnings.push({ path: at('dependencies'), message: 'are not installed for Image models: a custom image brings its own packages' });
  }
  found.problems.push(...repeatedApis(apis, at));
}

/** Keys such as "required" written beside data rather than inside it. */
function schemaKeywordHint(objectPath: (string | number)[], key: string): string | undefined {
  const last = objectPath[objectPath.length - 1];
  return (last === 'request' || last === 'response') && JSON_SCHEMA_KEYWORDS.has(key) ? 'JSON Schema keywords belong inside data' : undefined;
}

function repeatedApis(apis: unknown[], at: PathOf): Problem[] {
  const seen = new Map<string, number>();
  const problems: Problem[] = [];
  apis.forEach((api, i) => {
    if (!isNode(api)) return;
    const key = `${String(api.method ?? 'post')} ${String(api.url ?? '/')}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else problems.push({ path: at('apis', i), message: `repeats apis[${first}] (same method and url); give each API its own path or method` });
  });
  return problems;
}

function versionlessRestraints(dependencies: unknown, at: PathOf): Problem[] {
  const warnings: Problem[] = [];
  (Array.isArray(dependencies) ? dependencies : []).forEach((d, i) => {
    const packages = isNode(d) && Array.isArray(d.packages) ? d.packages : [];
    packages.forEach((p, j) => {
      if (isNode(p) && typeof p.restraint === 'string' && p.restraint !== '' && !p.package_version) {
        warnings.push({ path: at('dependencies', i, 'packages', j, 'restraint'), message: 'is ignored without a package_version; any version is installed' });
      }
    });
  });
  return warnings;
}

/** Only called on a config the schema accepted, so the shapes below hold. */
function normalised(c: Record<string, unknown>): ModelConfig {
  const message = (m: unknown): ApiMessage => {
    const given = (m ?? {}) as Partial<ApiMessage>;
    return { 'Content-type': given['Content-type'] ?? 'application/json', ...(given.data ? { data: given.data } : {}) };
  };
  const apis = ((c.apis ?? []) as Record<string, unknown>[]).map((api) => ({
    protocol: (api.protocol ?? 'http') as 'http' | 'https',
    url: (api.url ?? '/') as string,
    method: (api.method ?? 'post') as HttpMethod,
    request: message(api.request),
    response: message(api.response),
  }));
  const dependencies = ((c.dependencies ?? []) as { packages: Record<string, string>[] }[]).map((d) => ({
    installer: 'pip' as const,
    packages: d.packages.map((p) =>
      p.package_version
        ? { package_name: p.package_name, package_version: p.package_version, restraint: p.restraint as PackageDependency['restraint'] }
        : { package_name: p.package_name },
    ),
  }));
  const health = c.health as ModelConfig['health'] | undefined;
  const optional = (key: keyof ModelConfig) => (c[key] !== undefined ? { [key]: c[key] } : {});
  return {
    model_algorithm: c.model_algorithm as string,
    model_type: c.model_type as ModelConfig['model_type'],
    ...optional('runtime'),
    ...optional('swr_location'),
    ...optional('metrics'),
    apis,
    dependencies,
    ...(health ? { health: { ...health, protocol: health.protocol ?? 'http' } } : {}),
    ...optional('model_source'),
    ...optional('tunable'),
    ...optional('service_name'),
    ...optional('execution_code'),
  };
}

function isNode(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
