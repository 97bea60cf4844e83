import { ObjectStore } from '../../kernel/storage/object-store';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { JobRecord, JobVersion, Prefetched } from '../job-record';
import type { Workspace } from './workspace';

/** The platform's own copy of a version's log, which the new version writes afresh. */
const PLATFORM_LOG = /^logs\/.+-V\d{4,}\.log$/;

/**
 * ModelArts' "Predownload" of an output: before the boot file starts, the newest earlier
 * version's outputs (of each output with `prefetch_to_local`) are downloaded into this
 * version's local output dir. Whatever the boot file leaves there is uploaded to the new
 * version's folder at the end, so checkpoints carry on from version to version.
 */
export async function prefetchOutputs(store: ObjectStore, job: JobRecord, version: JobVersion, ws: Workspace): Promise<Prefetched[]> {
  const found: Prefetched[] = [];
  for (const output of job.outputs.filter((o) => o.prefetch_to_local)) {
    found.push(await prefetchOne(store, job, version, output.name, ws.outputs[output.name]));
  }
  return found;
}

async function prefetchOne(store: ObjectStore, job: JobRecord, version: JobVersion, name: string, dir: string): Promise<Prefetched> {
  const earlier = job.versions.filter((v) => v.version_id < version.version_id).sort((a, b) => b.version_id - a.version_id);
  for (const v of earlier) {
    const url = v.output_urls.find((o) => o.name === name)?.url;
    if (!url) continue;
    const got = await store.downloadPrefix(parseObsUrl(url), dir, (key) => PLATFORM_LOG.test(key));
    if (got.files > 0) return { name, from: url, files: got.files, bytes: got.bytes };
  }
  return { name, files: 0, bytes: 0 };
}
