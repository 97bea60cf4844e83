import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { moveIntoPlace } from '@modelarts-local/durable';
import { DocStore } from '../kernel/records/doc-store';
import { log } from '../kernel/log';
import { JobRecord } from './job-record';
import { endLine } from '../kernel/end-line';
import type { JobStateMachine } from './state-machine';
import { jobFiles } from './execution/job-files';

/**
 * After a restart nothing of a previous run is still ours to watch: versions that
 * were starting or running become Abnormal (their leftover processes are killed),
 * versions that were waiting are queued again in their order.
 */
export async function recoverJobs(records: DocStore<JobRecord>, dataDir: string, states: JobStateMachine): Promise<{ jobId: string; version: string }[]> {
  const requeue: { jobId: string; version: string; created: string }[] = [];
  for (const job of records.list()) {
    for (const v of job.versions) {
      if (v.status === 'Pending') requeue.push({ jobId: job.id, version: v.version, created: v.created_at });
      if (v.status !== 'Creating' && v.status !== 'Running' && v.status !== 'Terminating') continue;
      const killed = (v.pids ?? []).filter((pid) => killLeftover(pid, v.work_dir));
      const was = v.status;
      const updated = await records.update(job.id, (j) => {
        const current = j.versions.find((x) => x.version === v.version)!;
        states.transition({ job: j, version: current }, 'Abnormal');
        current.reason = `the platform stopped while this version was ${was}${killed.length ? `; its leftover process${killed.length > 1 ? 'es were' : ' was'} killed` : ''}. Run a new version to train again.`;
      });
      await keepPartialLog(jobFiles(dataDir, job.id, v.version).log, endLine(updated.versions.find((x) => x.version === v.version)!));
      log.warn(`training job ${job.name} ${v.version} was ${was} when the platform stopped: now Abnormal`);
    }
  }
  return requeue.sort((a, b) => (a.created < b.created ? -1 : 1));
}

/** Kills the process group of `pid` if that process is still one of this version's. */
function killLeftover(pid: number, workDir: string | undefined): boolean {
  if (!workDir) return false;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return false;
  }
  // A reused pid belongs to someone else: only a command line naming our work dir is ours.
  if (!cmdline.includes(workDir)) return false;
  try {
    process.kill(-pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** The head a crashed run left becomes the version's log, ending like every finished log. */
async function keepPartialLog(file: string, lastLine: string): Promise<void> {
  const partial = `${file}.partial`;
  try {
    await fs.appendFile(partial, `\n[modelarts-local] ${lastLine}\n`);
    await moveIntoPlace(partial, file);
  } catch {
    // no partial log: nothing was written yet
  }
}
