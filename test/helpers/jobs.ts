import path from 'node:path';
import { repoPath } from '../../kernel/paths';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { ObjectStore } from '../../kernel/storage/object-store';
import { api, waitFor } from './http';

export const BOOT_FILES = repoPath('test', 'fixtures', 'boot-files');

/** Uploads fixture boot files into a code dir. */
export async function uploadCode(store: ObjectStore, codeDir: string, files: string[]): Promise<void> {
  const dir = parseObsUrl(codeDir);
  await store.ensureBucket(dir.bucket);
  for (const f of files) await store.putFile({ bucket: dir.bucket, key: dir.key + f }, path.join(BOOT_FILES, f));
}

export async function createJob(base: string, body: Record<string, unknown>): Promise<any> {
  const res = await api(base, 'POST', '/training-jobs', body);
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Waits until the job's version reaches one of `statuses` (default: any final one, as the API's `terminal` says). */
export async function waitForJob(base: string, id: string, statuses?: string[], version?: string, timeoutMs = 120_000): Promise<any> {
  return waitFor(
    `job ${id} to be ${statuses?.join('/') ?? 'finished'}`,
    async () => {
      const job = (await api(base, 'GET', `/training-jobs/${id}`)).body;
      const v = version ? job.versions.find((x: any) => x.version === version) : job.versions[job.versions.length - 1];
      return (statuses ? statuses.includes(v.status) : v.terminal) ? job : undefined;
    },
    timeoutMs,
  );
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
