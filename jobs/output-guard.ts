/**
 * A version never writes over outputs it does not own. Before a version is queued, each of
 * its output folders must be free: no other job (or other version of this job) writes to it,
 * to a folder inside it or to one around it, and the store holds nothing there yet (a deleted
 * job's outputs, or files put there by hand). Otherwise the request is refused with 409,
 * naming the owner and how to go on, and nothing already written is touched — unless the
 * caller asked to overwrite.
 */
import { ApiError } from '../kernel/errors';
import { asFolder, formatObsUrl, parseObsUrl } from '../kernel/storage/obs-url';
import type { ObjectClient } from '../kernel/storage/object-client';
import { StorageError } from '../kernel/storage/storage-error';
import type { Channel, JobRecord } from './job-record';

/** The version asking for its outputs; its own earlier claims never count against it. */
export interface OutputClaim {
  jobId: string;
  jobName: string;
  version: string;
  outputs: Channel[];
}

const HOW_TO_GO_ON = 'pick another output folder (train_url or outputs[].url), or ask to overwrite (overwrite_outputs: true; the CLI\'s --overwrite)';

export async function checkOutputsFree(claim: OutputClaim, jobs: readonly JobRecord[], store: ObjectClient): Promise<void> {
  for (const output of claim.outputs) {
    const owner = recordedOwner(claim, output.url, jobs);
    if (owner) {
      throw new ApiError('duplicate', `output ${output.name} (${output.url}) is where ${owner} writes its outputs; ${HOW_TO_GO_ON}`, undefined, {
        output: output.url,
        owner,
      });
    }
    const held = await firstObject(store, output.url);
    if (held) {
      throw new ApiError('duplicate', `output ${output.name} (${output.url}) already holds objects (${held}) that no job of this platform wrote; ${HOW_TO_GO_ON}`, undefined, {
        output: output.url,
      });
    }
  }
}

/** "training job X V0001 (id …)" of the first other version whose output folder overlaps this one. */
function recordedOwner(claim: OutputClaim, url: string, jobs: readonly JobRecord[]): string | undefined {
  for (const job of jobs) {
    for (const v of job.versions) {
      if (job.id === claim.jobId && v.version === claim.version) continue;
      const other = v.output_urls.find((o) => overlaps(o.url, url));
      if (other) return `training job ${job.name} ${v.version} (id ${job.id})`;
    }
  }
  return undefined;
}

/** Two output folders overlap when they are the same or one is inside the other. */
function overlaps(a: string, b: string): boolean {
  const x = formatObsUrl(asFolder(parseObsUrl(a)));
  const y = formatObsUrl(asFolder(parseObsUrl(b)));
  return x.startsWith(y) || y.startsWith(x);
}

/** The first object key under the folder, or undefined when it is empty (a missing bucket is empty). */
async function firstObject(store: ObjectClient, url: string): Promise<string | undefined> {
  const folder = asFolder(parseObsUrl(url));
  try {
    const page = await store.listPage(folder, { maxKeys: 2 });
    // A folder marker (the key of the folder itself, as consoles create) is not an output.
    const found = page.objects.find((o) => o.key !== folder.key);
    return found && `obs://${folder.bucket}/${found.key}`;
  } catch (err) {
    if (err instanceof StorageError && err.reason === 'not_found') return undefined;
    throw err;
  }
}
