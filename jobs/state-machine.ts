import { isTerminalIn, StateMachine, type Lifecycle, type TransitionTable } from '../kernel/lifecycle/state-machine';
import { JobRecord, JobStatus, JobVersion } from './job-record';

/** A version and the job it belongs to: a version's move may move the job's status too. */
interface JobSubject {
  job: JobRecord;
  version: JobVersion;
}

/** The legal moves of a job version; every status change goes through the job machine, which refuses the rest. */
const NEXT: TransitionTable<JobStatus> = {
  Creating: ['Pending', 'Failed', 'Terminated', 'Abnormal'],
  Pending: ['Running', 'Failed', 'Terminated', 'Abnormal'],
  Running: ['Completed', 'Failed', 'Terminating', 'Abnormal'],
  Terminating: ['Terminated', 'Abnormal'],
  Completed: [],
  Failed: [],
  Terminated: [],
  Abnormal: [],
};

export const TERMINAL: readonly JobStatus[] = ['Completed', 'Failed', 'Terminated', 'Abnormal'];
export const ACTIVE: readonly JobStatus[] = ['Creating', 'Pending', 'Running', 'Terminating'];

export function isTerminal(status: JobStatus): boolean {
  return isTerminalIn(NEXT, status);
}

/** The record as the API answers it: each version and the job say whether their status is final. */
export function withTerminal(job: JobRecord): JobRecord {
  return { ...job, terminal: isTerminal(job.status), versions: job.versions.map((v) => ({ ...v, terminal: isTerminal(v.status) })) };
}

const JOB_LIFECYCLE: Lifecycle<JobStatus, JobSubject> = {
  table: NEXT,
  status: ({ version }) => version.status,
  describe: ({ job, version }) => `training job ${job.name} ${version.version}`,
  /** Stamps the phase time; a final status ends the run's duration and forgets its processes. */
  enter({ job, version }, to, at) {
    version.status = to;
    version.phases[to] = at.toISOString();
    if (to !== 'Running') version.stage = undefined;
    if (isTerminal(to)) {
      version.duration_ms = durationUntil(version, at);
      version.pids = undefined;
    }
    if (job.versions[job.versions.length - 1] === version) job.status = to;
  },
};

export type JobStateMachine = StateMachine<JobStatus, JobSubject>;

/** A machine of its own for each job service: its listeners (the job metrics) hear only its jobs. */
export function jobStateMachine(): JobStateMachine {
  return new StateMachine(JOB_LIFECYCLE);
}

/** Milliseconds from the version's start (Running, else when it was queued) to `end`. */
export function durationUntil(version: JobVersion, end: Date): number {
  const started = version.phases.Running ?? version.phases.Pending ?? version.created_at;
  return end.getTime() - new Date(started).getTime();
}
