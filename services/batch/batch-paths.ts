import { asFolder, childUrl, formatObsUrl, parseObsUrl, type ObsUrl } from '../../kernel/storage/obs-url';

/**
 * An OBS location in any form ModelArts' batch API takes: obs://bucket/key, s3://bucket/key,
 * /bucket/key, or the virtual-host URL ModelArts' own examples use,
 * https://<bucket>.obs.<region>.myhuaweicloud.com/<key> (any host whose first label is
 * the bucket and whose second is "obs"), which names the same object here.
 */
export function parseBatchPath(raw: string): ObsUrl {
  const virtualHost = /^https?:\/\/([^./]+)\.obs\.[^/]+(?:\/(.*))?$/.exec(raw);
  if (virtualHost) return parseObsUrl(`obs://${virtualHost[1]}/${decodeURI(virtualHost[2] ?? '')}`);
  return parseObsUrl(raw);
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

export { formatObsUrl };
