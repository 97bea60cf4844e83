import fs from 'node:fs/promises';
import path from 'node:path';
import { ObjectStore, TransferSummary } from '../../kernel/storage/object-store';
import { asFolder, parseObsUrl, ObsUrl } from '../../kernel/storage/obs-url';
import { localPathFor } from '../../kernel/storage/safe-path';
import { Channel, JobRecord } from '../job-record';

/** The local folders of one job version: code, inputs, outputs and logs. */
export interface Workspace {
  root: string;
  code: string;
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  logs: string;
  tmp: string;
}

export function workspaceFor(dataDir: string, job: JobRecord, version: string): Workspace {
  const root = path.join(dataDir, 'work', job.id, version);
  const dirFor = (kind: string, channels: Channel[]) =>
    Object.fromEntries(channels.map((c) => [c.name, path.join(root, kind, c.name)]));
  return {
    root,
    code: path.join(root, 'code'),
    inputs: dirFor('inputs', job.inputs),
    outputs: dirFor('outputs', job.outputs),
    logs: path.join(root, 'logs'),
    tmp: path.join(root, 'tmp'),
  };
}

export async function createWorkspace(ws: Workspace): Promise<void> {
  await fs.rm(ws.root, { recursive: true, force: true });
  for (const dir of [ws.code, ws.logs, ws.tmp, ...Object.values(ws.inputs), ...Object.values(ws.outputs)]) {
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
  for (const input of job.inputs) add(await downloadInput(store, parseObsUrl(input.url), ws.inputs[input.name]));
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
