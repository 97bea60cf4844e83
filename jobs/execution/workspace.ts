import fs from 'node:fs/promises';
import path from 'node:path';
import { ObjectStore, TransferSummary } from '../../kernel/storage/object-store';
import { asFolder, parseObsUrl, ObsUrl } from '../../kernel/storage/obs-url';
import { localPathFor } from '../../kernel/storage/safe-path';
import { Channel, JobRecord } from '../job-record';

/**
 * The local folders of one job version, laid out as in a ModelArts training container: the
 * job's home (MA_HOME) holds `modelarts/` (MA_MOUNT_PATH) with `user-job-dir/<code folder>/`
 * (the code, under MA_JOB_DIR), `inputs/<name>_0/`, `outputs/<name>_0/` and `log/`.
 * Channels passed to the boot file as OBS URLs have no local folder.
 */
export interface Workspace {
  root: string;
  home: string;
  mount: string;
  jobDir: string;
  code: string;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  logs: string;
  tmp: string;
  /** WORKSPACE: a folder of the user's own beside the mount. */
  work: string;
}

export function workspaceFor(dataDir: string, job: JobRecord, version: string): Workspace {
  return workspaceAt(path.join(dataDir, 'work', job.id, version), job);
}

/** The same layout in any folder (a cluster node's own). */
export function workspaceAt(root: string, job: JobRecord): Workspace {
  const mount = path.join(root, 'modelarts');
  const jobDir = path.join(mount, 'user-job-dir');
  const dirFor = (kind: string, channels: Channel[]) =>
    Object.fromEntries(channels.filter((c) => c.pass_as !== 'obs_url').map((c) => [c.name, path.join(mount, kind, `${c.name}_0`)]));
  return {
    root,
    home: root,
    mount,
    jobDir,
    code: path.join(jobDir, codeFolderName(job.algorithm.code_dir)),
    inputs: dirFor('inputs', job.inputs),
    outputs: dirFor('outputs', job.outputs),
    logs: path.join(mount, 'log'),
    tmp: path.join(root, 'tmp'),
    work: path.join(root, 'work'),
  };
}

/** The last folder of code_dir, which names the code's folder under MA_JOB_DIR (as on ModelArts). */
function codeFolderName(codeDir: string): string {
  const { key } = parseObsUrl(codeDir);
  return key.split('/').filter(Boolean).pop() ?? 'code';
}

export async function createWorkspace(ws: Workspace): Promise<void> {
  await fs.rm(ws.root, { recursive: true, force: true });
  for (const dir of [ws.code, ws.logs, ws.tmp, ws.work, ...Object.values(ws.inputs), ...Object.values(ws.outputs)]) {
    await fs.mkdir(dir, { recursive: true });
  }
}

/** Downloads the code dir and every input; refuses keys that would escape the work dir. */
export async function downloadSources(store: ObjectStore, job: JobRecord, ws: Workspace): Promise<TransferSummary> {
  const total: TransferSummary = { files: 0, bytes: 0 };
  const add = (s: TransferSummary) => {
    total.files += s.files;
    total.bytes += s.bytes;
  };
  add(await store.downloadPrefix(parseObsUrl(job.algorithm.code_dir), ws.code));
  for (const input of job.inputs.filter((c) => ws.inputs[c.name])) add(await downloadInput(store, parseObsUrl(input.url), ws.inputs[input.name]));
  return total;
}

/** An input is a folder, or (when an object exists at exactly that key) a single file. */
async function downloadInput(store: ObjectStore, url: ObsUrl, dir: string): Promise<TransferSummary> {
  if (url.key && !url.key.endsWith('/')) {
    const single = await store.head(url);
    if (single) {
      const name = url.key.slice(url.key.lastIndexOf('/') + 1);
      await store.downloadFile(url, localPathFor(dir, name, url.key));
      return { files: 1, bytes: single.size };
    }
  }
  return store.downloadPrefix(asFolder(url), dir);
}

export async function removeWorkspace(ws: Workspace): Promise<void> {
  await fs.rm(ws.root, { recursive: true, force: true });
}
