import { ApiError, Problem } from '../kernel/errors';
import { asFolder, formatObsUrl, keyProblem, parseObsUrl, ObsUrl } from '../kernel/storage/obs-url';
import type { Schemas } from '../kernel/validation/schemas';
import { Channel, Engine, JobRecord, OutputChannel, Parameter } from './job-record';

export const DEFAULT_FLAVOR = 'modelarts.vm.cpu.2u';
export const DEFAULT_INPUT_NAME = 'data_url';
export const DEFAULT_OUTPUT_NAME = 'train_url';

/** A create request, checked and normalised: URLs canonical, parameter values strings. */
export type JobSpec = Pick<JobRecord, 'name' | 'description' | 'algorithm' | 'inputs' | 'outputs' | 'resource' | 'versioned_outputs'> & {
  /** Write even where other outputs already are (not recorded: it is asked for each time). */
  overwrite_outputs?: boolean;
};

interface RawChannel {
  name: string;
  url: string;
  prefetch_to_local?: boolean;
  pass_as?: 'local_path' | 'obs_url';
}

interface RawCreate {
  name: string;
  description?: string;
  algorithm: { engine: Engine; code_dir: string; boot_file: string; parameters?: { name: string; value: unknown }[]; environments?: Record<string, string> };
  data_url?: string;
  inputs?: RawChannel[];
  train_url?: string;
  outputs?: RawChannel[];
  resource?: { flavor?: string; node_count?: number };
  versioned_outputs?: boolean;
  overwrite_outputs?: boolean;
}

/**
 * Checks a POST /training-jobs body. Every problem is reported at once: the schema's,
 * and those of the URLs and names that are at least of the right type.
 */
export function parseCreateRequest(body: unknown, schemas: Schemas): JobSpec {
  const found = schemas.check('training-job', body);
  const raw = (isObject(body) ? body : {}) as Partial<RawCreate>;
  const alg = (isObject(raw.algorithm) ? raw.algorithm : {}) as Partial<RawCreate['algorithm']>;
  const codeDir = typeof alg.code_dir === 'string' ? folderUrl(alg.code_dir, 'algorithm.code_dir', found) : undefined;
  const bootFile = typeof alg.boot_file === 'string' ? bootFileIn(codeDir, alg.boot_file, found) : '';
  if (bootFile && alg.engine) checkEngineRuns(alg.engine, bootFile, found);
  // The schema says which of data_url/inputs and train_url/outputs may or must be given.
  const inputs = channels(raw.data_url, raw.inputs, 'data_url', 'inputs', DEFAULT_INPUT_NAME, found);
  const outputs = channels(raw.train_url, raw.outputs, 'train_url', 'outputs', DEFAULT_OUTPUT_NAME, found);
  const parameters = parseParameters(Array.isArray(alg.parameters) ? alg.parameters : [], 'algorithm.parameters', found);
  checkNameClashes(inputs, outputs, parameters, found);
  if (found.length) throw invalid(dedupe(found));
  const resource = raw.resource ?? {};
  const environments = alg.environments && Object.keys(alg.environments).length ? { environments: alg.environments } : {};
  return {
    name: raw.name!,
    description: raw.description ?? '',
    algorithm: { engine: alg.engine!, code_dir: formatObsUrl(codeDir!), boot_file: bootFile, parameters, ...environments },
    inputs,
    outputs: outputs.map((o, i) => withPrefetch({ ...o, url: formatObsUrl(asFolder(parseObsUrl(o.url))) }, raw.outputs?.[i])),
    resource: { flavor: resource.flavor ?? DEFAULT_FLAVOR, node_count: resource.node_count ?? 1 },
    ...(raw.versioned_outputs === false ? { versioned_outputs: false as const } : {}),
    ...(raw.overwrite_outputs === true ? { overwrite_outputs: true } : {}),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `prefetch_to_local` is kept only when it is on, so records of other jobs stay as they were. */
function withPrefetch(out: Channel, raw: RawChannel | undefined): OutputChannel {
  return raw?.prefetch_to_local ? { ...out, prefetch_to_local: true } : out;
}

/** One problem per path: the schema's message wins over a later check of the same field. */
function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(p.path) && !!seen.add(p.path));
}

/** Checks a POST /training-jobs/{id}/versions body. */
export function parseVersionRequest(
  body: unknown,
  schemas: Schemas,
  current: Parameter[],
): { parameters: Parameter[]; description?: string; overwrite_outputs?: boolean } {
  const raw = schemas.parse<{ parameters?: { name: string; value: unknown }[]; description?: string; overwrite_outputs?: boolean }>('training-job-version', body);
  const found: Problem[] = [];
  const changed = parseParameters(raw.parameters ?? [], 'parameters', found);
  if (found.length) throw invalid(found);
  // Parameters not named keep their previous values, as when ModelArts copies a version.
  const merged = current.map((p) => changed.find((c) => c.name === p.name) ?? p);
  for (const c of changed) if (!merged.some((p) => p.name === c.name)) merged.push(c);
  return { parameters: merged, description: raw.description, overwrite_outputs: raw.overwrite_outputs };
}

function invalid(problems: Problem[]): ApiError {
  const n = problems.length;
  return new ApiError('invalid_request', `the request has ${n} problem${n === 1 ? '' : 's'}; see errors`, problems);
}

function url(raw: string, path: string, found: Problem[]): ObsUrl | undefined {
  try {
    return parseObsUrl(raw);
  } catch (err) {
    found.push({ path, message: (err as Error).message });
    return undefined;
  }
}

function folderUrl(raw: string, path: string, found: Problem[]): ObsUrl | undefined {
  const parsed = url(raw, path, found);
  return parsed && asFolder(parsed);
}

/** The boot file as a path relative to code_dir; a full OBS path inside code_dir is accepted too. */
function bootFileIn(codeDir: ObsUrl | undefined, bootFile: string, found: Problem[]): string {
  let relative = bootFile;
  if (/^(obs|s3):\/\//.test(bootFile) || bootFile.startsWith('/')) {
    const full = url(bootFile, 'algorithm.boot_file', found);
    if (!full || !codeDir) return bootFile;
    if (full.bucket !== codeDir.bucket || !full.key.startsWith(codeDir.key)) {
      found.push({ path: 'algorithm.boot_file', message: `${bootFile} is not inside code_dir ${formatObsUrl(codeDir)}` });
      return bootFile;
    }
    relative = full.key.slice(codeDir.key.length);
  }
  const problem = relative === '' || relative.endsWith('/') ? 'names a folder, not a file' : keyProblem(relative);
  if (problem) found.push({ path: 'algorithm.boot_file', message: `must be a file inside code_dir: ${problem}` });
  return relative;
}

/** What each engine runs: a boot file the engine cannot run would fail only once the job runs. */
const ENGINE_LANGUAGES: Record<Engine, { language: string; extensions: RegExp; instead: string }> = {
  python: { language: 'Python', extensions: /\.py$/i, instead: 'tfjs or node' },
  tfjs: { language: 'JavaScript', extensions: /\.(c|m)?js$/i, instead: 'python' },
  node: { language: 'JavaScript', extensions: /\.(c|m)?js$/i, instead: 'python' },
};
const LANGUAGE_OF: [RegExp, string][] = [
  [/\.py$/i, 'Python'],
  [/\.(c|m)?js$/i, 'JavaScript'],
  [/\.ts$/i, 'TypeScript'],
];

/** A boot file in another language than the engine runs (train.js with engine python) is refused. */
function checkEngineRuns(engine: Engine, bootFile: string, found: Problem[]): void {
  const runs = ENGINE_LANGUAGES[engine];
  const language = LANGUAGE_OF.find(([re]) => re.test(bootFile))?.[1];
  if (!runs || !language || runs.extensions.test(bootFile)) return;
  found.push({
    path: 'algorithm.boot_file',
    message: `${bootFile} is ${language}, but engine ${engine} runs ${runs.language} boot files; use engine ${runs.instead} for it, or a ${runs.language} boot file`,
  });
}

function channels(
  single: unknown,
  list: unknown,
  singleName: string,
  listName: string,
  defaultName: string,
  found: Problem[],
): Channel[] {
  const given = list !== undefined ? list : single !== undefined ? [{ name: defaultName, url: single }] : [];
  const raw = (Array.isArray(given) ? given : []) as RawChannel[];
  const seen = new Set<string>();
  return raw.flatMap((c, i) => {
    if (!isObject(c) || typeof c.url !== 'string' || typeof c.name !== 'string') return [];
    const path = list !== undefined ? `${listName}[${i}].url` : singleName;
    if (seen.has(c.name)) found.push({ path: `${listName}[${i}].name`, message: `${c.name} is used twice` });
    seen.add(c.name);
    const parsed = url(c.url, path, found);
    return parsed ? [{ name: c.name, url: formatObsUrl(parsed), ...(c.pass_as === 'obs_url' && { pass_as: 'obs_url' as const }) }] : [];
  });
}

function parseParameters(raw: { name: string; value: unknown }[], path: string, found: Problem[]): Parameter[] {
  const seen = new Set<string>();
  return raw.filter(isObject).map((p, i) => {
    if (seen.has(p.name)) found.push({ path: `${path}[${i}].name`, message: `${p.name} is given twice` });
    seen.add(p.name);
    return { name: p.name, value: String(p.value) };
  });
}

function checkNameClashes(inputs: Channel[], outputs: Channel[], parameters: Parameter[], found: Problem[]): void {
  const channelNames = new Set<string>();
  for (const c of [...inputs, ...outputs]) {
    if (channelNames.has(c.name)) found.push({ path: 'outputs', message: `${c.name} names both an input and an output` });
    channelNames.add(c.name);
  }
  parameters.forEach((p, i) => {
    if (channelNames.has(p.name)) {
      found.push({ path: `algorithm.parameters[${i}].name`, message: `${p.name} is already the name of an input or output` });
    }
  });
}
