import crypto from 'node:crypto';
import type { PortRange } from '../../kernel/net/port-range';
import { computeEnv, type ComputeConfig } from '../../kernel/config';
import { obsEndpointEnv, type ObsAccess } from '../../kernel/storage/obs-env';
import type { ModelRecord } from '../../models/model-record';
import type { ExitInfo } from '../../kernel/process/supervise';
import type { InstanceMessage, InstanceOptions } from '../instance/protocol';
import type { ServiceRecord } from '../service-record';
import type { PlatformContext } from '../../kernel/context';
import { InstanceProcess } from './instance-process';
import type { InstanceLauncher } from './instance-link';
import { DEFAULT_BATCHING } from '../batching/batching-config';
import { serviceDocument } from '../openapi/service-document';
import type { AccessOptions } from '../access/instance-guard';

export interface InstanceLimits {
  host: string;
  /** What starts instances: processes on this machine, or Slurm jobs on a cluster. */
  launcher: InstanceLauncher;
  portRange?: PortRange;
  /** Who may call: the ports' locks and whether tokens are checked; the key is the service's. */
  access: Omit<AccessOptions, 'key' | 'appCode'>;
  maxBodyBytes: number;
  timeoutMs: number;
  requestTimeoutMs: number;
  startTimeoutMs: number;
  /** The platform's compute settings, which instances use too. */
  compute: ComputeConfig;
  /** PYTHON (unset: chosen per deploy) and PYTHON_WORKERS. */
  python?: string;
  pythonWorkers: number;
  platformVersion: string;
  /** Where hooks find the object store (moxing, boto3); its keys stay with the platform. */
  obs: Pick<ObsAccess, 'endpoint' | 'region'>;
}

export interface InstanceEvents {
  onMessage(instance: InstanceProcess, message: InstanceMessage): void;
  onCrash(instance: InstanceProcess, exit: ExitInfo): void;
}

/** What instances need of the service they serve (a real-time or a batch service). */
export type InstanceOwner = Pick<ServiceRecord, 'id' | 'name' | 'description' | 'envs' | 'batching' | 'specification'> & Partial<Pick<ServiceRecord, 'cors' | 'app_code'>>;

/** The platform's limits for every instance it starts. */
export function instanceLimits(p: PlatformContext, launcher: InstanceLauncher): InstanceLimits {
  const c = p.config;
  return {
    // Batch instances: only the platform calls them, on loopback (the deployer places real-time ones).
    host: '127.0.0.1',
    launcher,
    ...(c.servicePorts && { portRange: c.servicePorts }),
    access: { servicePortLocked: false, ownPortLocked: false, tokens: false },
    maxBodyBytes: c.predict.maxBodyBytes,
    timeoutMs: c.predict.timeoutMs,
    requestTimeoutMs: c.predict.requestTimeoutMs,
    startTimeoutMs: c.predict.deployTimeoutMs,
    compute: c.compute,
    python: c.python,
    pythonWorkers: c.pythonWorkers,
    platformVersion: p.version,
    obs: { endpoint: p.storageEndpoint, region: c.obs.region },
  };
}

/** What an instance of `service` serving `model` is started with (its modelDir is filled in where it runs); `key` is the one the gateway adds for this service. */
export function instanceOptions(service: InstanceOwner, model: ModelRecord, limits: InstanceLimits, key = newInstanceKey()): InstanceOptions {
  const api = (model.apis[0] ?? {}) as { request?: { 'Content-type'?: string; data?: unknown }; response?: { data?: unknown } };
  return {
    serviceId: service.id,
    serviceName: service.name,
    instanceId: '',
    modelName: model.name,
    modelId: model.id,
    specification: service.specification,
    packageUrl: model.package_url,
    modelDir: '',
    modelType: model.model_type,
    modelFile: model.models.find((m) => m.format === 'pytorch')?.path,
    hookFile: model.hook_file,
    host: limits.host,
    port: 0,
    ...(limits.portRange && { portRange: limits.portRange }),
    maxBodyBytes: limits.maxBodyBytes,
    timeoutMs: limits.timeoutMs,
    requestTimeoutMs: limits.requestTimeoutMs,
    api: { requestContentType: api.request?.['Content-type'], requestSchema: api.request?.data, responseSchema: api.response?.data },
    allowOrigins: service.cors?.allow_origins ?? [],
    access: { ...limits.access, key, appCode: service.app_code },
    envs: service.envs,
    python: { setting: limits.python, workers: limits.pythonWorkers, dependencies: model.dependencies ?? [] },
    batching: service.batching ?? DEFAULT_BATCHING,
    openapi: serviceDocument({ service, model }),
    platformVersion: limits.platformVersion,
  };
}

/**
 * The environment of an instance: the service's envs, the compute settings, where the object
 * store is (S3_ENDPOINT …, for moxing in hooks) and a minimal base. The platform's own settings
 * (tokens, the store's keys) are not passed to user code: a hook that reads OBS gets keys from
 * the service's envs (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or mox.file.set_auth.
 */
export function instanceEnv(envs: Record<string, string>, compute: ComputeConfig, obs: Pick<ObsAccess, 'endpoint' | 'region'>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    LANG: process.env.LANG ?? 'C.UTF-8',
    TZ: process.env.TZ,
    LOG_LEVEL: process.env.LOG_LEVEL,
    ...obsEndpointEnv(obs),
    ...computeEnv(compute),
    ...envs,
  };
}

/** The key the gateway adds to what it relays to a service's instances: random, kept in memory only. */
export function newInstanceKey(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function newInstanceId(): string {
  return `i-${crypto.randomBytes(4).toString('hex')}`;
}

/** Starts one instance; resolves when it is ready, rejects with the reason it is not. */
export async function startInstance(options: InstanceOptions, limits: InstanceLimits, events: InstanceEvents): Promise<InstanceProcess> {
  const id = newInstanceId();
  const instance = new InstanceProcess(id, limits.launcher.link(id, { ...options, instanceId: id }, instanceEnv(options.envs, limits.compute, limits.obs)));
  await instance.start(limits.startTimeoutMs, {
    onMessage: (m) => events.onMessage(instance, m),
    onCrash: (exit) => events.onCrash(instance, exit),
  });
  return instance;
}

/** Starts `count` instances together; if any fails, the others are stopped and the first reason is thrown. */
export async function startInstances(
  count: number,
  options: InstanceOptions,
  limits: InstanceLimits,
  events: InstanceEvents,
): Promise<InstanceProcess[]> {
  const results = await Promise.allSettled(Array.from({ length: count }, () => startInstance(options, limits, events)));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
  if (failure) {
    await Promise.all(started.map((i) => i.kill()));
    throw failure.reason;
  }
  return started;
}
