import path from 'node:path';

/** Where the platform keeps a version's log and metrics, outside its (temporary) work dir. */
export function jobDir(dataDir: string, jobId: string): string {
  return path.join(dataDir, 'jobs', jobId);
}

export interface JobFiles {
  dir: string;
  /** The job's log: every worker's lines. */
  log: string;
  metrics: string;
  /** One worker's own log (jobs with several nodes). */
  taskLog(task: string): string;
}

export function jobFiles(dataDir: string, jobId: string, version: string): JobFiles {
  const dir = jobDir(dataDir, jobId);
  return {
    dir,
    log: path.join(dir, `${version}.log`),
    metrics: path.join(dir, `${version}.metrics.jsonl`),
    taskLog: (task) => path.join(dir, `${version}.${task}.log`),
  };
}
