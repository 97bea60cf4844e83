import path from 'node:path';

/** Where the platform keeps a version's log and metrics, outside its (temporary) work dir. */
export function jobDir(dataDir: string, jobId: string): string {
  return path.join(dataDir, 'jobs', jobId);
}

export function jobFiles(dataDir: string, jobId: string, version: string): { dir: string; log: string; metrics: string } {
  const dir = jobDir(dataDir, jobId);
  return { dir, log: path.join(dir, `${version}.log`), metrics: path.join(dir, `${version}.metrics.jsonl`) };
}
