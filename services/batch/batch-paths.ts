import { asFolder, childUrl, parseObsUrl, type ObsUrl } from '../../kernel/storage/obs-url';

/**
 * An OBS location in any form ModelArts' batch API takes: what parseObsUrl reads (obs://,
 * s3://, /bucket/key and Huawei Cloud's OBS web addresses), and also the virtual-host form
 * of the API reference's own batch examples on any host (https://infers-data.obs.xxxxx.com/…:
 * the first label is the bucket, the second "obs"), which names the same object here.
 */
export function parseBatchPath(raw: string): ObsUrl {
  try {
    return parseObsUrl(raw);
  } catch (err) {
    const virtualHost = /^https?:\/\/([^./]+)\.obs\.[^/]+(?:\/(.*))?$/.exec(raw);
    if (!virtualHost) throw err;
    return parseObsUrl(`obs://${virtualHost[1]}/${decodeURI(virtualHost[2] ?? '')}`);
  }
}

/** Where a batch task's outputs go: the manifest parts and the folder of result files. */
export interface TaskOutputs {
  dest: ObsUrl;
  /** infer-result-{task_id}/ under dest_path. */
  results: ObsUrl;
  /** Part n of the result manifest: infer-result-{task_id}.manifest, then _1, _2 … */
  manifest(part: number): ObsUrl;
}

export function taskOutputs(destPath: string, taskId: string): TaskOutputs {
  const dest = asFolder(parseBatchPath(destPath));
  return {
    dest,
    results: childUrl(dest, `infer-result-${taskId}/`),
    manifest: (part) => childUrl(dest, `infer-result-${taskId}${part ? `_${part}` : ''}.manifest`),
  };
}

