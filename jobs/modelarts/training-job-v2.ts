import os from 'node:os';
import type { Schemas } from '../../kernel/validation/schemas';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { JobRecord, JobVersion, latestVersion } from '../job-record';
import { engineFor, engineOf } from './catalog';
import { taskNames } from '../nodes/node-contract';

/** ModelArts v2 training words ↔ the platform's job records. */

interface V2Channel {
  name: string;
  remote: { obs: { obs_url: string } };
}

interface V2Job {
  metadata: { name: string; description?: string };
  algorithm: {
    code_dir: string;
    boot_file: string;
    engine?: { engine_id?: string; engine_name?: string; engine_version?: string; image_url?: string };
    parameters?: { name: string; value?: unknown }[];
    inputs?: V2Channel[];
    outputs?: V2Channel[];
    environments?: Record<string, string>;
  };
  spec?: { resource?: { flavor_id?: string; node_count?: number } };
}

/** A CreateTrainingJob body as a POST /training-jobs body (which JobService checks further). */
export function platformJobBody(body: unknown, schemas: Schemas): Record<string, unknown> {
  const v2 = schemas.parse<V2Job>('modelarts-training-job-v2', body);
  const alg = v2.algorithm;
  const channels = (list: V2Channel[] | undefined) => list?.map((c) => ({ name: c.name, url: c.remote.obs.obs_url }));
  const resource = v2.spec?.resource;
  return {
    name: v2.metadata.name,
    ...(v2.metadata.description !== undefined && { description: v2.metadata.description }),
    algorithm: {
      engine: engineFor(alg.engine, alg.boot_file).runs,
      code_dir: alg.code_dir,
      boot_file: alg.boot_file,
      parameters: (alg.parameters ?? []).map((p) => ({ name: p.name, value: p.value ?? '' })),
      ...(alg.environments && { environments: alg.environments }),
    },
    ...(alg.inputs?.length ? { inputs: channels(alg.inputs) } : {}),
    outputs: channels(alg.outputs),
    versioned_outputs: false,
    resource: { ...(resource?.flavor_id && { flavor: resource.flavor_id }), ...(resource?.node_count && { node_count: resource.node_count }) },
  };
}

/** `obs://bucket/key` as v2 writes OBS paths: `/bucket/key`. */
export function v2ObsPath(url: string): string {
  const { bucket, key } = parseObsUrl(url);
  return `/${bucket}/${key}`;
}

const ms = (iso: string | undefined) => (iso ? new Date(iso).getTime() : 0);

/** The secondary phase ModelArts shows beside the phase, from what the run is doing. */
function secondaryPhase(v: JobVersion): string {
  if (v.status === 'Pending') return 'Queuing';
  if (v.status === 'Running') return v.stage === 'downloading' ? 'Preparing' : v.stage === 'uploading' ? 'Saving' : 'Running';
  return v.status;
}

/** One worker's status: its own exit when it has ended, else the version's; a signal counts as a container's would (128 + its number). */
function taskStatus(v: JobVersion, task: string): Record<string, unknown> {
  const own = v.tasks?.find((t) => t.task === task);
  const signalled = own?.signal ? 128 + (os.constants.signals[own.signal as NodeJS.Signals] ?? 0) : undefined;
  const exitCode = own?.exit_code ?? signalled ?? v.exit_code ?? 0;
  return { task, exit_code: exitCode, message: own?.reason ?? v.reason ?? '', ...(own?.host && { host_ip: own.host }) };
}

/** A job record as ModelArts' v2 API answers it (its latest version). */
export function jobV2View(job: JobRecord): Record<string, unknown> {
  const v = latestVersion(job);
  const engine = engineOf(job.algorithm.engine);
  const tasks = taskNames(job);
  const started = v.phases.Running;
  const duration = v.duration_ms ?? (started ? Date.now() - ms(started) : 0);
  return {
    kind: 'job',
    metadata: { id: job.id, name: job.name, description: job.description, create_time: ms(job.created_at), workspace_id: '0', user_name: '', annotations: {} },
    status: {
      phase: v.status,
      secondary_phase: secondaryPhase(v),
      duration,
      start_time: ms(started),
      tasks,
      task_statuses: tasks.map((task) => taskStatus(v, task)),
    },
    algorithm: {
      code_dir: v2ObsPath(job.algorithm.code_dir),
      boot_file: v2ObsPath(job.algorithm.code_dir + job.algorithm.boot_file),
      engine: { engine_id: engine.engine_id, engine_name: engine.engine_name, engine_version: engine.engine_version },
      parameters: v.parameters.map((p) => ({ name: p.name, value: p.value })),
      inputs: job.inputs.map((c) => ({ name: c.name, local_dir: `/home/ma-user/modelarts/inputs/${c.name}_0`, remote: { obs: { obs_url: v2ObsPath(c.url) } } })),
      outputs: v.output_urls.map((c) => ({ name: c.name, local_dir: `/home/ma-user/modelarts/outputs/${c.name}_0`, remote: { obs: { obs_url: v2ObsPath(c.url) } } })),
      environments: job.algorithm.environments ? [job.algorithm.environments] : [],
    },
    spec: { resource: { policy: 'regular', flavor_id: job.resource.flavor, flavor_name: job.resource.flavor, node_count: job.resource.node_count } },
  };
}

interface Filter {
  key: string;
  operator: 'in' | 'like' | 'between' | 'not';
  value: (string | number)[];
}

export interface JobSearch {
  offset?: number;
  limit?: number;
  sort_by?: 'create_time' | 'name' | 'phase' | 'duration';
  order?: 'asc' | 'desc';
  filters?: Filter[];
}

/** ListTrainingJobs: filters, sorting, and pages (`offset` is a page number, as in ModelArts). */
export function searchJobs(jobs: JobRecord[], search: JobSearch): Record<string, unknown> {
  const limit = search.limit ?? 10;
  const offset = search.offset ?? 0;
  const sortBy = search.sort_by ?? 'create_time';
  const order = search.order ?? 'desc';
  const matching = jobs.filter((j) => (search.filters ?? []).filter(isFilter).every((f) => matches(j, f)));
  const key = (j: JobRecord): string | number =>
    sortBy === 'name' ? j.name : sortBy === 'phase' ? j.status : sortBy === 'duration' ? (latestVersion(j).duration_ms ?? 0) : ms(j.created_at);
  matching.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (order === 'asc' ? 1 : -1));
  const items = matching.slice(offset * limit, offset * limit + limit).map(jobV2View);
  return { total: matching.length, count: items.length, limit, offset, sort_by: sortBy, order, group_by: '', workspace_id: '0', items };
}

/** Keys the platform filters on; ModelArts' own examples send others (user_id, runtime_type …), which filter nothing here. */
const FILTER_KEYS = ['name', 'phase', 'engine', 'create_time'];

/** A filter that says something: a known key with at least one non-empty value (ModelArts' examples send ["", ""] for "any"). */
function isFilter(f: Filter): boolean {
  return FILTER_KEYS.includes(f.key) && f.value.some((v) => v !== '');
}

function matches(job: JobRecord, f: Filter): boolean {
  const field = f.key === 'name' ? job.name : f.key === 'phase' ? job.status : f.key === 'engine' ? engineOf(job.algorithm.engine).engine_name : f.key === 'create_time' ? ms(job.created_at) : '';
  const values = f.value.map(String);
  switch (f.operator) {
    case 'in':
      return values.includes(String(field));
    case 'not':
      return !values.includes(String(field));
    case 'like':
      return values.some((v) => String(field).toLowerCase().includes(v.toLowerCase()));
    case 'between': {
      const bound = (v: string | undefined, open: number) => (v === undefined || v === '' ? open : Number(v));
      return Number(field) >= bound(values[0], -Infinity) && Number(field) <= bound(values[1], Infinity);
    }
  }
}
