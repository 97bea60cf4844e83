import fs from 'node:fs/promises';
import { moveIntoPlace } from '@modelarts-local/durable';
import { DocStore } from '../kernel/records/doc-store';
import { log } from '../kernel/log';
import { dropLogged, ifExists } from '../kernel/util/drop';
import type { JobRecord, JobVersion } from './job-record';
import { endLine } from '../kernel/end-line';
import type { JobStateMachine } from './state-machine';
import { jobFiles } from './execution/job-files';

/**
 * After a restart nothing of a previous run is still ours to watch: versions that
 * were starting or running become Abnormal (what they left behind — processes, a cluster
 * job — is ended by `abandon`, the executor's), versions that were waiting are queued
 * again in their order.
 */
export async function recoverJobs(
  records: DocStore<JobRecord>,
  dataDir: string,
  abandon: (v: JobVersion) => Promise<string | undefined>,
  states: JobStateMachine,
): Promise<{ jobId: string; version: string }[]> {
  const requeue: { jobId: string; version: string; created: string }[] = [];
  for (const job of records.list()) {
    for (const v of job.versions) {
      if (v.status === 'Pending') requeue.push({ jobId: job.id, version: v.version, created: v.created_at });
      if (v.status !== 'Creating' && v.status !== 'Running' && v.status !== 'Terminating') continue;
      const ended = await abandon(v);
      const was = v.status;
      const updated = await records.update(job.id, (j) => {
        const current = j.versions.find((x) => x.version === v.version)!;
        states.transition({ job: j, version: current }, 'Abnormal');
        current.reason = `the platform stopped while this version was ${was}${ended ? `; ${ended}` : ''}. Run a new version to train again.`;
      });
      await keepPartialLog(jobFiles(dataDir, job.id, v.version).log, endLine(updated.versions.find((x) => x.version === v.version)!));
      log.warn(`training job ${job.name} ${v.version} was ${was} when the platform stopped: now Abnormal`);
    }
  }
  return requeue.sort((a, b) => (a.created < b.created ? -1 : 1));
}

/** The head a crashed run left becomes the version's log, ending like every finished log. */
async function keepPartialLog(file: string, lastLine: string): Promise<void> {
  const partial = `${file}.partial`;
  // No folder: the run wrote nothing yet. Anything else is logged, and recovery goes on.
  const keep = async () => {
    await fs.appendFile(partial, `\n[modelarts-local] ${lastLine}\n`);
    await moveIntoPlace(partial, file);
  };
  await dropLogged(ifExists(keep()), `keeping the partial log ${partial}`);
}
