import { repoPath } from '../paths';

/** The object store as user code reaches it: its endpoint and keys. */
export interface ObsAccess {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/**
 * Python packages every Python job and hook finds on its path, whatever its area: `moxing`
 * (`mox.file`, ModelArts' file API on OBS, built on boto3).
 */
export const SHARED_PYTHON_DIR = repoPath('kernel', 'python');

/**
 * Where user code finds OBS: ModelArts' own variables (`S3_ENDPOINT`, `S3_USE_HTTPS`,
 * `S3_VERIFY_SSL`), which moxing reads, and the region every S3 client reads.
 */
export function obsEndpointEnv(obs: Pick<ObsAccess, 'endpoint' | 'region'>): Record<string, string> {
  return {
    S3_ENDPOINT: obs.endpoint,
    S3_USE_HTTPS: obs.endpoint.startsWith('https:') ? '1' : '0',
    S3_VERIFY_SSL: '0',
    AWS_REGION: obs.region,
    AWS_DEFAULT_REGION: obs.region,
  };
}

/**
 * The endpoint and the keys, as ModelArts gives training jobs temporary credentials: moxing and
 * any S3 client (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) reach OBS without being told more.
 */
export function obsEnv(obs: ObsAccess): Record<string, string> {
  return { ...obsEndpointEnv(obs), AWS_ACCESS_KEY_ID: obs.accessKeyId, AWS_SECRET_ACCESS_KEY: obs.secretAccessKey };
}
