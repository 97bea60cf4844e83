/**
 * What the platform and a training job's runner on a cluster node say to each other over
 * their line (kernel/cluster/channel.ts). The runner introduces itself with its node's
 * address; once every node has, the platform sends each its part of the contract; the runner
 * then reports its stages, its boot file's output and exit, and the upload of its outputs.
 */
import type { ComputeConfig } from '../../../kernel/config';
import type { ObsAccess } from '../../../kernel/storage/obs-env';
import type { JobRecord, JobVersion, Prefetched } from '../../job-record';
import type { NodeAddress } from '../node-contract';
import type { WorkerEnd } from '../worker-set';

/** Runner → platform, first: who it is and where (SLURM_PROCID, SLURMD_NODENAME, its address on the cluster's network). */
export interface HelloFrame {
  t: 'hello';
  index: number;
  node: string;
  address: NodeAddress;
}

/** Platform → runner: everything the node's work needs (node-preparation.ts, node-contract.ts). */
export interface StartFrame {
  t: 'start';
  job: JobRecord;
  version: JobVersion;
  addresses: NodeAddress[];
  /** The object store as nodes reach it. */
  obs: ObsAccess;
  compute: ComputeConfig;
  python?: string;
  /** The node's own folder for workspaces (CLUSTER_WORK_DIR). */
  workDir: string;
}

export type RunnerFrame =
  | HelloFrame
  | { t: 'note'; line: string }
  | { t: 'prefetched'; found: Prefetched[] }
  | { t: 'started'; pid?: number }
  | { t: 'out'; d: string }
  | { t: 'metrics'; d: string }
  | { t: 'exit'; exit: WorkerEnd }
  /** The outputs are uploaded (or `error` says why not): the runner's work is over. */
  | { t: 'done'; error?: string };

export type PlatformFrame = StartFrame | { t: 'signal'; sig: NodeJS.Signals };
