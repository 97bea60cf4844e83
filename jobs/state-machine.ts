import { ApiError } from '../kernel/errors';
import { JobRecord, JobStatus, JobVersion } from './job-record';

/**
 * The legal moves of a job version. Every status change goes through `transition`,
 * which refuses anything not listed here.
 */
const NEXT: Record<JobStatus, readonly JobStatus[]> = {
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
  return TERMINAL.includes(status);
}

/** The record as the API answers it: each version and the job say whether their status is final. */
export function withTerminal(job: JobRecord): JobRecord {
  return { ...job, terminal: isTerminal(job.status), versions: job.versions.map((v) => ({ ...v, terminal: isTerminal(v.status) })) };
}

function canMove(from: JobStatus, to: JobStatus): boolean {
  return NEXT[from].includes(to);
}

/** Moves `version` (inside `job`) to `to`, stamping the phase time; refuses illegal moves. */
export function transition(job: JobRecord, version: JobVersion, to: JobStatus, now = new Date()): void {
  if (!canMove(version.status, to)) {
    throw new ApiError('wrong_state', `training job ${job.name} ${version.version} is ${version.status}; it cannot become ${to}`);
  }
  version.status = to;
  version.phases[to] = now.toISOString();
  if (to !== 'Running') version.stage = undefined;
  if (isTerminal(to)) {
    version.duration_ms = durationUntil(version, now);
    version.pids = undefined;
  }
  if (job.versions[job.versions.length - 1] === version) job.status = to;
}

/** Milliseconds from the version's start (Running, else when it was queued) to `end`. */
export function durationUntil(version: JobVersion, end: Date): number {
  const started = version.phases.Running ?? version.phases.Pending ?? version.created_at;
  return end.getTime() - new Date(started).getTime();
}
