import os from 'node:os';
import path from 'node:path';
import { ORIGIN_PATTERN } from './http/cors';
import { bucketNameProblem } from './storage/obs-url';
import { ConfigError, type Env, isLoopback, Reader } from './config-reader';
import { clusterConfig, type ClusterConfig } from './config-cluster';
import { repoPath } from './paths';
import { parsePortRange, type PortRange } from './net/port-range';

export { ConfigError, isLoopback, type ClusterConfig };

/**
 * Everything the platform reads from the environment, read in this one place.
 * A bad value stops start-up with one line naming the variable and what it accepts.
 */
export interface PlatformConfig {
  /** Control-plane port (0 picks a free one). */
  port: number;
  host: string;
  /**
   * Where service instances' own ports listen (the gateway relays to them there). Beyond
   * loopback, an instance serves only the gateway (its key), app codes and tokens.
   */
  instanceHost: string;
  /** Where local state (metadata, work dirs, the embedded store) lives. */
  dataDir: string;
  obs: ObsConfig;
  /** How many training jobs run at once; the rest wait as Pending. */
  maxConcurrentJobs: number;
  /** Upload the MNIST tutorial's data and code into the store on start. */
  prepareSamples: boolean;
  /** Optional control-plane token (X-Auth-Token). */
  authToken?: string;
  /** Explicit consent to listen beyond loopback without a token. */
  allowInsecureHost: boolean;
  /** SERVICE_PORTS: the range services' and instances' ports come from; unset: any free port. */
  servicePorts?: PortRange;
  /** Instance-side limits for real-time services. */
  predict: { maxBodyBytes: number; timeoutMs: number; requestTimeoutMs: number; deployTimeoutMs: number };
  /**
   * How /v1/infers/ reaches instances: `pass` hands a prediction's connection to an
   * instance (no second hop; an instance that dies cuts its connections, as on the
   * service's own address); `proxy` relays every request (a second hop; a request whose
   * instance goes away is sent once more to another).
   */
  gatewayMode: 'pass' | 'proxy';
  /** Grace period between SIGTERM and SIGKILL when stopping a job. */
  stopGraceMs: number;
  /** Cap on the bytes of one job log kept on disk (head + tail). */
  maxLogBytes: number;
  /** Browser origins that may call the control-plane API (CORS); empty: none. */
  corsAllowOrigins: string[];
  /** Largest object the object-storage API accepts in one upload. */
  maxUploadBytes: number;
  /** Python for user code (Python boot files, customize_service.py); unset: chosen per use (platform/process/python.ts). */
  python?: string;
  /** Python worker processes per instance of a service whose hook is customize_service.py. */
  pythonWorkers: number;
  /** Below this much free space in the data directory, /health says `degraded` (0: never). */
  minFreeBytes: number;
  /** ModelArts' documented API: its project, the AK/SK pairs and IAM users it accepts. */
  modelarts: ModelArtsApiConfig;
  /** How tfjs computes, here and in every job and service instance. */
  compute: ComputeConfig;
  /** Batch services: lines per result manifest file (past it, infer-result-{task_id}_1.manifest …). */
  batchManifestLines: number;
  /** Where training jobs and service instances run: this machine, or a Slurm cluster. */
  cluster: ClusterConfig;
}

/** tfjs backends, fastest first: our native addon, tfjs-node, WebAssembly, plain JavaScript. */
export const BACKEND_NAMES = ['native', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface ComputeConfig {
  /** TF_BACKEND: this backend and no other; undefined: the fastest present. */
  backend?: BackendName;
  /** COMPUTE_THREADS: the threads that every process computing at once shares (default: every core). */
  threads: number;
  /** COMPUTE_ADDON: the native addon's file, or 'off'. */
  addon: string;
  /** COMPUTE_SHARE_DIR: where computing processes of this machine announce themselves, to share the threads. */
  shareDir: string;
}

export interface ModelArtsApiConfig {
  /** `{project_id}` in `/v2/{project_id}/…` and `/v1/{project_id}/…`. */
  projectId: string;
  /** The project's name, as `GET /v3/projects?name=` finds it (a region name, as the SDKs ask). */
  projectName: string;
  /** AK/SK pairs whose `SDK-HMAC-SHA256` signatures are accepted. */
  accessKeys: { accessKeyId: string; secretAccessKey: string }[];
  /** Users that `POST /v3/auth/tokens` issues tokens to. */
  iamUsers: { name: string; password: string }[];
  tokenTtlSeconds: number;
  /** True when AUTH_TOKEN, API keys or IAM users are configured: every call then needs credentials. */
  authRequired: boolean;
}

export interface ObsConfig {
  /** The bucket where the platform keeps its own copies (imported model packages). */
  systemBucket: string;
  /** Undefined → the platform runs its embedded store. */
  endpoint?: string;
  /** Port of the embedded store (0 picks a free one). */
  embeddedPort: number;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}


/** Defaults for the embedded store's keys; printed at start so any S3 client can use them. */
export const EMBEDDED_ACCESS_KEY_ID = 'modelarts-local';
export const EMBEDDED_SECRET_ACCESS_KEY = 'modelarts-local-secret';

export const DEFAULT_MAX_PREDICT_BODY_BYTES = 8 * 1024 * 1024;
export const DEFAULT_PREDICT_TIMEOUT_MS = 40_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_DEPLOY_TIMEOUT_MS = 60_000;
export const DEFAULT_STOP_GRACE_MS = 10_000;
export const DEFAULT_MAX_LOG_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_UPLOAD_BYTES = 1024 ** 3;
export const DEFAULT_BATCH_MANIFEST_LINES = 10_000;
export const DEFAULT_PYTHON_WORKERS = 2;
export const MAX_PYTHON_WORKERS = 32;
export const DEFAULT_PROJECT_ID = 'modelarts-local';
export const DEFAULT_PROJECT_NAME = 'cn-north-4';
export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 3600;
/** Room for a job's outputs and log and a model's copy; below it writes start to fail. */
export const DEFAULT_MIN_FREE_BYTES = 256 * 1024 ** 2;
/** S3's own limit for one PUT; larger objects need multipart uploads through an S3 client. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

export function loadConfig(env: Env = process.env, cwd = process.cwd()): PlatformConfig {
  const read = new Reader(env);
  const endpoint = read.url('OBS_ENDPOINT');
  const host = read.host('HOST', '127.0.0.1');
  const cluster = clusterConfig(read, host, endpoint);
  const config: PlatformConfig = {
    port: read.port('PORT', 8080),
    host,
    instanceHost: read.host('INSTANCE_HOST', '127.0.0.1'),
    dataDir: path.resolve(cwd, read.string('DATA_DIR', './data')),
    obs: obsConfig(read, endpoint),
    // On a cluster Slurm queues the jobs the cluster cannot take yet.
    maxConcurrentJobs: read.integer('MAX_CONCURRENT_JOBS', cluster.executor === 'slurm' ? 64 : os.availableParallelism(), 1, 256),
    prepareSamples: read.boolean('PREPARE_SAMPLES', true),
    authToken: read.optional('AUTH_TOKEN'),
    allowInsecureHost: read.boolean('ALLOW_INSECURE_HOST', false),
    predict: predictLimits(read),
    gatewayMode: read.pattern('GATEWAY_MODE', 'pass', /^(pass|proxy)$/, 'pass (connections handed to instances) or proxy (every request relayed)') as PlatformConfig['gatewayMode'],
    stopGraceMs: read.integer('STOP_GRACE_MS', DEFAULT_STOP_GRACE_MS, 0, 600_000),
    maxLogBytes: read.integer('MAX_LOG_BYTES', DEFAULT_MAX_LOG_BYTES, 64 * 1024, 1024 ** 3),
    corsAllowOrigins: read.list('CORS_ALLOW_ORIGINS', ORIGIN_PATTERN, '"*", "localhost" (any localhost port) or origins such as http://example.com:8000, separated by commas'),
    maxUploadBytes: read.integer('MAX_UPLOAD_BYTES', DEFAULT_MAX_UPLOAD_BYTES, 1024, MAX_SINGLE_PUT_BYTES),
    python: read.optionalPattern('PYTHON', /^\S+$/, 'a Python interpreter: a command on PATH such as python3, or a path such as /usr/bin/python3'),
    pythonWorkers: read.integer('PYTHON_WORKERS', DEFAULT_PYTHON_WORKERS, 1, MAX_PYTHON_WORKERS),
    minFreeBytes: read.integer('MIN_FREE_BYTES', DEFAULT_MIN_FREE_BYTES, 0, Number.MAX_SAFE_INTEGER),
    servicePorts: servicePorts(read),
    modelarts: modelartsConfig(read),
    compute: loadComputeConfig(env),
    batchManifestLines: read.integer('BATCH_MANIFEST_LINES', DEFAULT_BATCH_MANIFEST_LINES, 1, 10_000_000),
    cluster,
  };
  if (config.authToken !== undefined && config.authToken.length < 8) {
    throw new ConfigError('AUTH_TOKEN', 'a token of at least 8 characters', config.authToken);
  }
  if (!isLoopback(host) && !config.modelarts.authRequired && !config.allowInsecureHost) {
    throw new ConfigError(
      'HOST',
      'a loopback address (127.0.0.1, ::1, localhost) unless AUTH_TOKEN is set or ALLOW_INSECURE_HOST=true says that an open, unauthenticated platform is intended',
      host,
    );
  }
  return config;
}

function obsConfig(read: Reader, endpoint: string | undefined): ObsConfig {
  const obs: ObsConfig = {
    endpoint,
    embeddedPort: read.port('OBS_PORT', 9000),
    accessKeyId: read.string('OBS_ACCESS_KEY_ID', endpoint ? '' : EMBEDDED_ACCESS_KEY_ID),
    secretAccessKey: read.string('OBS_SECRET_ACCESS_KEY', endpoint ? '' : EMBEDDED_SECRET_ACCESS_KEY),
    region: read.pattern('OBS_REGION', 'us-east-1', /^[a-z0-9-]{1,32}$/, 'a region name such as us-east-1'),
    systemBucket: read.pattern('SYSTEM_BUCKET', 'modelarts-local-system', { test: (name) => !bucketNameProblem(name) }, 'a bucket name: 3-63 lowercase letters, digits, "." and "-"'),
  };
  if (endpoint && (!obs.accessKeyId || !obs.secretAccessKey)) {
    const missing = obs.accessKeyId ? 'OBS_SECRET_ACCESS_KEY' : 'OBS_ACCESS_KEY_ID';
    throw new ConfigError(missing, 'a non-empty key when OBS_ENDPOINT is set', '');
  }
  return obs;
}

function servicePorts(read: Reader): PortRange | undefined {
  const text = read.optional('SERVICE_PORTS');
  if (text === undefined) return undefined;
  const range = parsePortRange(text);
  if (!range) throw new ConfigError('SERVICE_PORTS', 'a range of ports such as 30000-30099 (first ≤ last, 1-65535)', text);
  return range;
}

function predictLimits(read: Reader): PlatformConfig['predict'] {
  return {
    maxBodyBytes: read.integer('MAX_PREDICT_BODY_BYTES', DEFAULT_MAX_PREDICT_BODY_BYTES, 1024, 1024 ** 3),
    timeoutMs: read.integer('PREDICT_TIMEOUT_MS', DEFAULT_PREDICT_TIMEOUT_MS, 100, 3_600_000),
    requestTimeoutMs: read.integer('REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, 1000, 3_600_000),
    deployTimeoutMs: read.integer('DEPLOY_TIMEOUT_MS', DEFAULT_DEPLOY_TIMEOUT_MS, 1000, 3_600_000),
  };
}

export const DEFAULT_COMPUTE_ADDON = repoPath('compute', 'native', 'build', 'Release', 'ma_native.node');
const MAX_COMPUTE_THREADS = 1024;

/**
 * The compute settings alone: what jobs, service instances and a boot file run by hand
 * read (the platform passes its own on to them, see computeEnv).
 */
export function loadComputeConfig(env: Env = process.env): ComputeConfig {
  const read = new Reader(env);
  const backend = read.optional('TF_BACKEND');
  if (backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(backend)) {
    throw new ConfigError('TF_BACKEND', BACKEND_NAMES.join(', '), backend);
  }
  return {
    backend: backend as BackendName | undefined,
    threads: read.integer('COMPUTE_THREADS', os.availableParallelism(), 1, MAX_COMPUTE_THREADS),
    addon: read.string('COMPUTE_ADDON', DEFAULT_COMPUTE_ADDON),
    shareDir: read.string('COMPUTE_SHARE_DIR', path.join(os.tmpdir(), 'modelarts-local-compute')),
  };
}

/** The compute settings as environment variables, for a child process to read back. */
export function computeEnv(c: ComputeConfig): Record<string, string> {
  return {
    ...(c.backend ? { TF_BACKEND: c.backend } : {}),
    COMPUTE_THREADS: String(c.threads),
    COMPUTE_ADDON: c.addon,
    COMPUTE_SHARE_DIR: c.shareDir,
  };
}

function modelartsConfig(read: Reader): ModelArtsApiConfig {
  const explicitKey = read.optional('API_ACCESS_KEY_ID');
  const accessKeyId = explicitKey ?? read.string('OBS_ACCESS_KEY_ID', EMBEDDED_ACCESS_KEY_ID);
  const secretAccessKey = read.optional('API_SECRET_ACCESS_KEY') ?? read.string('OBS_SECRET_ACCESS_KEY', EMBEDDED_SECRET_ACCESS_KEY);
  if (explicitKey && !read.optional('API_SECRET_ACCESS_KEY')) throw new ConfigError('API_SECRET_ACCESS_KEY', 'a non-empty secret when API_ACCESS_KEY_ID is set', '');
  const iamUsers = read.list('IAM_USERS', /^[^:,\s]{1,64}:[^,]{8,128}$/, 'name:password pairs (passwords of 8-128 characters) separated by commas').map((pair) => {
    const colon = pair.indexOf(':');
    return { name: pair.slice(0, colon), password: pair.slice(colon + 1) };
  });
  return {
    projectId: read.pattern('PROJECT_ID', DEFAULT_PROJECT_ID, /^[A-Za-z0-9_-]{1,64}$/, '1-64 letters, digits, "_" or "-", such as a 32-digit hex project id'),
    projectName: read.pattern('PROJECT_NAME', DEFAULT_PROJECT_NAME, /^[A-Za-z0-9_.-]{1,64}$/, 'a project (region) name such as cn-north-4'),
    accessKeys: [{ accessKeyId, secretAccessKey }],
    iamUsers,
    tokenTtlSeconds: read.integer('TOKEN_TTL_SECONDS', DEFAULT_TOKEN_TTL_SECONDS, 1, 30 * 24 * 3600),
    authRequired: !!read.optional('AUTH_TOKEN') || !!explicitKey || iamUsers.length > 0,
  };
}

/** What the command line client reads: where the platform is, and keys for its object store. */
export interface ClientConfig {
  platformUrl: string;
  authToken?: string;
  obs: { accessKeyId: string; secretAccessKey: string; region: string };
}

export const DEFAULT_PLATFORM_URL = 'http://127.0.0.1:8080';

export function loadClientConfig(env: Env = process.env): ClientConfig {
  const read = new Reader(env);
  return {
    platformUrl: read.url('PLATFORM_URL') ?? DEFAULT_PLATFORM_URL,
    authToken: read.optional('AUTH_TOKEN'),
    obs: {
      // The embedded store's keys unless the platform uses another store.
      accessKeyId: read.string('OBS_ACCESS_KEY_ID', EMBEDDED_ACCESS_KEY_ID),
      secretAccessKey: read.string('OBS_SECRET_ACCESS_KEY', EMBEDDED_SECRET_ACCESS_KEY),
      region: read.pattern('OBS_REGION', 'us-east-1', /^[a-z0-9-]{1,32}$/, 'a region name such as us-east-1'),
    },
  };
}
