/**
 * The seam between a version's run (jobs/execution/run.ts: its record, logs, metrics, stop
 * and end) and what runs its nodes: this machine's processes (local-executor.ts) or a Slurm
 * cluster (slurm/slurm-executor.ts). The run knows only this interface; each executor does
 * every node's work — workspace, downloads, the boot file (node-contract.ts), uploads — where
 * the node is, and reports back through RunReport.
 */
import type { ComputeConfig } from '../../kernel/config';
import type { ObsAccess } from '../../kernel/storage/obs-env';
import type { ClusterPlacement, JobRecord, JobVersion, Prefetched, RunStage, TaskStatus } from '../job-record';
import type { WorkerEnd, WorkerOutcome } from './worker-set';

/** What a version's run hands its executor. */
export interface VersionPlan {
  job: JobRecord;
  version: JobVersion;
  /** The object store as the platform reaches it (an executor may give nodes another address). */
  obs: ObsAccess;
  compute: ComputeConfig;
  /** The PYTHON setting, if any: each node chooses its interpreter with it. */
  python?: string;
  /** How long a worker stopped because another failed gets between SIGTERM and SIGKILL. */
  stopGraceMs: number;
}

/** What the executor tells the run, as the nodes move on. */
export interface RunReport {
  /** The nodes are at a new stage; `downloading` is when the version becomes Running. */
  stage(stage: RunStage): Promise<void>;
  /** A line from the platform, in the job's log and every worker's. */
  note(line: string): void;
  /** A line about one worker, in its log (and the job's). */
  noteFor(task: string, line: string): void;
  /** Where a worker's output goes. */
  output(task: string): (chunk: Buffer) => void;
  /** A chunk of what the boot files report on their metrics channel. */
  metrics(chunk: Buffer): void;
  /** Outputs found of an earlier version before the boot file started. */
  prefetched(found: Prefetched[]): Promise<void>;
  /** Where the version runs in a cluster (its job there, its state), as it changes. */
  placed(placement: ClusterPlacement): Promise<void>;
  /** The workers have started: where each runs. */
  started(tasks: TaskStatus[], workDir?: string): Promise<void>;
  /** Every worker has ended: the first failure decides (outputs are uploaded after). */
  exited(outcome: WorkerOutcome): void;
}

/** A version's nodes at work. */
export interface Execution {
  /** Resolves when every node is done and the outputs are uploaded; rejects with a reason a user can read. */
  done: Promise<WorkerOutcome>;
  /** Passes a signal to every worker (SIGTERM to stop, SIGKILL when the grace is over). */
  signal(sig: NodeJS.Signals): void;
}

export interface NodeExecutor {
  /** Starts the version's nodes; construction is cheap, the work starts here. */
  execute(plan: VersionPlan, report: RunReport): Execution;
  /**
   * After a restart of the platform: ends what a version that was running left behind (its
   * processes, or its cluster job). Says what it ended, or undefined when nothing was left.
   */
  abandon(version: JobVersion): Promise<string | undefined>;
}

/** One started worker, wherever it runs. */
export interface StartedNode {
  /** The local process id, when the worker runs on this machine. */
  pid?: number;
  exited: Promise<WorkerEnd>;
  signal(sig: NodeJS.Signals): void;
}

/**
 * A run that ended for reasons of the platform or the cluster, not of the user's code or
 * request (a cluster job ended by Slurm before its nodes came, nodes that never reached the
 * platform): the version ends Abnormal, as ModelArts says of jobs its platform lost.
 */
export class AbnormalEnd extends Error {}
