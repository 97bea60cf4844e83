/** The durable record of a training job and its versions (ModelArts v2 words). */

export type Engine = 'tfjs' | 'node' | 'python';
export const ENGINES: readonly Engine[] = ['tfjs', 'node', 'python'];

export const JOB_STATUSES = ['Creating', 'Pending', 'Running', 'Completed', 'Failed', 'Terminating', 'Terminated', 'Abnormal'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface Parameter {
  name: string;
  value: string;
}

export interface Channel {
  /** Argument name the boot file receives (`--<name>=<local dir>`). */
  name: string;
  /** obs:// folder or object. */
  url: string;
  /**
   * `obs_url`: the boot file gets the OBS URL itself and moves the data with moxing (ModelArts'
   * older style); nothing is downloaded or uploaded for this channel. Default: a local folder.
   */
  pass_as?: 'obs_url';
}

/**
 * An output folder. With `prefetch_to_local` (ModelArts' "Predownload"), each new version
 * starts with the previous version's outputs already in its local output dir, so a boot
 * file can find its last checkpoint there and continue.
 */
export interface OutputChannel extends Channel {
  prefetch_to_local?: boolean;
}

/** What a version found of an earlier version's outputs before its boot file started. */
export interface Prefetched {
  name: string;
  /** The earlier version's output folder, or undefined when no earlier version left any. */
  from?: string;
  files: number;
  bytes: number;
}

export interface Algorithm {
  engine: Engine;
  code_dir: string;
  boot_file: string;
  parameters: Parameter[];
  /** Extra environment variables for the boot file (ModelArts' `environments`). */
  environments?: Record<string, string>;
}

export interface Resource {
  flavor: string;
  node_count: number;
}

/** One node of a version (ModelArts' task `worker-<n>`): where it ran and how it ended. */
export interface TaskStatus {
  task: string;
  host: string;
  /** The cluster node it ran on (executor slurm). */
  node?: string;
  pid?: number;
  exit_code?: number | null;
  signal?: string | null;
  /** How the node's boot file ended, or why it was stopped. */
  reason?: string;
}

/** Where a version runs in a cluster (executor slurm): its job there and what Slurm says of it. */
export interface ClusterPlacement {
  scheduler: 'slurm';
  job_id: string;
  /** Slurm's job state: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, NODE_FAIL … */
  state: string;
  /** Slurm's reason for the state (Resources, NodeDown …), when it gives one. */
  reason?: string;
  /** The nodes Slurm gave it. */
  nodes?: string;
}

/** What happens inside Running, for users watching a job. */
export type RunStage = 'downloading' | 'running' | 'uploading';

export interface JobVersion {
  version: string;
  version_id: number;
  status: JobStatus;
  stage?: RunStage;
  description?: string;
  parameters: Parameter[];
  created_at: string;
  /** When each status was entered (ISO time). */
  phases: Partial<Record<JobStatus, string>>;
  /** Milliseconds from Running to the final status. */
  duration_ms?: number;
  exit_code?: number | null;
  signal?: string | null;
  /** Why the version failed or stopped, in words a user can act on. */
  reason?: string;
  /** Where this version's outputs go: `<output url>/V000N/`. */
  output_urls: Channel[];
  /** Outputs downloaded from an earlier version (outputs with prefetch_to_local only). */
  prefetched?: Prefetched[];
  last_metrics?: Record<string, number>;
  metric_count: number;
  /** Each node of the run (one per node_count), once started. */
  tasks?: TaskStatus[];
  /** The cluster job that runs the version, when the platform runs jobs on a cluster. */
  cluster?: ClusterPlacement;
  /** Process ids of the running boot file(s), to find leftovers after a platform crash. */
  pids?: number[];
  work_dir?: string;
  log_bytes?: number;
  log_truncated_bytes?: number;
  /** In API answers: true once the status is final (Completed, Failed, Terminated, Abnormal). */
  terminal?: boolean;
}

export interface JobRecord {
  id: string;
  name: string;
  description: string;
  algorithm: Algorithm;
  inputs: Channel[];
  outputs: OutputChannel[];
  resource: Resource;
  /** False: versions write to the output folders themselves, not to `V000N/` inside them. */
  versioned_outputs?: false;
  created_at: string;
  /** Newest version's number and status, repeated at top level for lists. */
  version: string;
  status: JobStatus;
  versions: JobVersion[];
  /** In API answers: whether the newest version's status is final. */
  terminal?: boolean;
}

export function versionName(n: number): string {
  return `V${String(n).padStart(4, '0')}`;
}

export function latestVersion(job: JobRecord): JobVersion {
  return job.versions[job.versions.length - 1];
}

export function findVersion(job: JobRecord, name: string | undefined): JobVersion | undefined {
  if (!name) return latestVersion(job);
  return job.versions.find((v) => v.version === name || String(v.version_id) === name);
}
