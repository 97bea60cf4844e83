/**
 * A node's work before and after its boot file, wherever the node is: the workspace with the
 * code and inputs from OBS, an earlier version's outputs when asked for, the boot file's check,
 * what the engine runs with (the `modelarts` modules, or the Python chosen here); and at the
 * end the output folders uploaded to OBS. Nodes need no shared file system: OBS carries it all.
 */
import fs from 'node:fs/promises';
import { linkRuntimeModules } from '../../compute/runtime-modules';
import { choosePython } from '../../kernel/process/python';
import type { ObjectStore } from '../../kernel/storage/object-store';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { StorageError } from '../../kernel/storage/storage-error';
import { ifExists } from '../../kernel/util/drop';
import type { JobRecord, JobVersion, Prefetched } from '../job-record';
import { prefetchOutputs } from '../execution/prefetch';
import { checkModules } from '../execution/python-modules';
import { createWorkspace, downloadSources, type Workspace } from '../execution/workspace';

export interface NodeWork {
  store: ObjectStore;
  job: JobRecord;
  version: JobVersion;
  ws: Workspace;
  /** The node_modules folder tfjs and node boot files import `modelarts` and tfjs from. */
  runtimeModules: string;
  /** The PYTHON setting, if any. */
  python?: string;
}

export interface PreparationReport {
  note(line: string): void;
  prefetched(found: Prefetched[]): Promise<void>;
}

/** Prepares the node; resolves with the Python command of a Python job (undefined for the others). */
export async function prepareNode(w: NodeWork, report: PreparationReport): Promise<string | undefined> {
  await createWorkspace(w.ws);
  const got = await downloadSources(w.store, w.job, w.ws);
  report.note(`downloaded code and inputs: ${got.files} files, ${got.bytes} bytes`);
  const prefetched = await prefetchOutputs(w.store, w.job, w.version, w.ws);
  for (const p of prefetched) {
    report.note(p.from ? `prefetched output ${p.name} from ${p.from}: ${p.files} files, ${p.bytes} bytes` : `prefetch of output ${p.name}: no earlier version left outputs; starting empty`);
  }
  if (prefetched.length) await report.prefetched(prefetched);
  const boot = `${w.ws.code}/${w.job.algorithm.boot_file}`;
  if (!(await ifExists(fs.stat(boot)))?.isFile()) throw new Error(`boot file ${w.job.algorithm.boot_file} is not in ${w.job.algorithm.code_dir}`);
  if (w.job.algorithm.engine !== 'python') {
    await linkRuntimeModules(w.ws.root, w.runtimeModules);
    return undefined;
  }
  const chosen = await choosePython(w.python);
  report.note(`python: ${chosen.executable} (Python ${chosen.version})`);
  for (const line of await checkModules(chosen.command)) report.note(line);
  return chosen.command;
}

/** Uploads the version's local output folders to their OBS URLs. */
export async function uploadOutputs(store: ObjectStore, version: JobVersion, ws: Workspace, note: (line: string) => void): Promise<void> {
  for (const out of version.output_urls.filter((o) => ws.outputs[o.name])) {
    try {
      const sent = await store.uploadDir(ws.outputs[out.name], parseObsUrl(out.url));
      note(`uploaded ${out.name}: ${sent.files} files, ${sent.bytes} bytes to ${out.url}`);
    } catch (err) {
      throw new Error(`the outputs could not be uploaded to ${out.url}: ${failureReason(err)}`, { cause: err });
    }
  }
}

/** What failed, in words: a storage error says it itself. */
export function failureReason(err: unknown): string {
  if (err instanceof StorageError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
