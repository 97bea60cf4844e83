/**
 * What each node of a training job is, whatever runs it: which process (the boot file with its
 * arguments, in its code folder), at which address, with which environment. ModelArts runs one
 * container per node, all with the same boot file, told apart by VC_TASK_INDEX; scripts derive
 * MASTER_ADDR (`${VC_WORKER_HOSTS%%,*}`), NODE_RANK and NNODES themselves (no RANK, WORLD_SIZE or
 * TF_CONFIG is set). Executors (local processes, a cluster) start what this module describes.
 */
import path from 'node:path';
import { computeEnv, type ComputeConfig } from '../../kernel/config';
import { repoPath } from '../../kernel/paths';
import { obsEnv, SHARED_PYTHON_DIR, type ObsAccess } from '../../kernel/storage/obs-env';
import type { JobRecord, JobVersion } from '../job-record';
import type { Workspace } from '../execution/workspace';

/** The file descriptor on which boot files report metrics (see jobs/runtime/report.ts). */
export const METRICS_FD = 3;

/** ModelArts' role name of a training job's nodes (PyTorch, MindSpore: all workers). */
export const TASK_ROLE = 'worker';

/** One node's address: a host every node can reach, and a port reserved for it there. */
export interface NodeAddress {
  host: string;
  port: number;
  /** The network interface that holds `host` on a cluster node (gloo and NCCL are told to use it). */
  interface?: string;
}

export interface ContractInput {
  job: JobRecord;
  version: JobVersion;
  ws: Workspace;
  obs: ObsAccess;
  compute: ComputeConfig;
  /** The interpreter of a Python engine job. */
  python?: string;
  /** One address per node, in node order (node_count of them). */
  addresses: NodeAddress[];
}

/** Everything an executor needs to start one node. */
export interface NodeLaunch {
  index: number;
  /** `worker-<index>`: the task name of ModelArts' v2 API and of the node's log. */
  task: string;
  host: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

export function taskName(index: number): string {
  return `${TASK_ROLE}-${index}`;
}

/** A job's tasks: worker-0 … worker-<node_count - 1>. */
export function taskNames(job: Pick<JobRecord, 'resource'>): string[] {
  return Array.from({ length: job.resource.node_count }, (_, i) => taskName(i));
}

/** The launch of every node of the version, in node order. */
export function nodeLaunches(input: ContractInput): NodeLaunch[] {
  const { command, args } = commandLine(input);
  return input.addresses.map((address, index) => ({
    index,
    task: taskName(index),
    host: address.host,
    command,
    args,
    cwd: input.ws.code,
    env: nodeEnv(input, index),
  }));
}

/**
 * The boot file and its arguments: each input and output as `--<name>=<local folder>/` (or its
 * OBS URL when the channel is passed as one), then the hyperparameters, all as `--name=value`
 * so that scripts using argparse's parse_known_args, as ModelArts advises, ignore what they do
 * not know.
 */
function commandLine({ job, version, ws, python }: ContractInput): { command: string; args: string[] } {
  const boot = path.join(ws.code, job.algorithm.boot_file);
  const channel = (name: string, local: string | undefined, url: string) => `--${name}=${local === undefined ? url : `${local}${path.sep}`}`;
  const args = [
    ...job.inputs.map((c) => channel(c.name, ws.inputs[c.name], c.url)),
    ...version.output_urls.map((c) => channel(c.name, ws.outputs[c.name], c.url)),
    ...version.parameters.map((p) => `--${p.name}=${p.value}`),
  ];
  if (job.algorithm.engine === 'python') return { command: python ?? 'python3', args: ['-u', boot, ...args] };
  return { command: process.execPath, args: [boot, ...args] };
}

/**
 * What one node's process receives: ModelArts' variables (paths, the node's place among the
 * others, the older DLS_* and BATCH_* names), OBS access for moxing and S3 clients, the compute
 * settings and a minimal base (PATH, locale). Nothing else of the platform's own environment.
 */
export function nodeEnv(input: ContractInput, index: number): Record<string, string> {
  const { job, version, ws, addresses } = input;
  const count = addresses.length;
  const vjName = `modelarts-job-${job.id}`;
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: process.env.LANG ?? 'C.UTF-8',
    TZ: process.env.TZ,
    // On a cluster node, collective libraries use the cluster's network (by default they follow
    // the host name, which may resolve to loopback); the job's own variables may say otherwise.
    ...(addresses[index].interface ? { GLOO_SOCKET_IFNAME: addresses[index].interface, NCCL_SOCKET_IFNAME: addresses[index].interface } : {}),
    // The job's own variables, which the platform's below may not be replaced by.
    ...job.algorithm.environments,
    HOME: ws.home,
    TMPDIR: ws.tmp,
    MA_HOME: ws.home,
    MA_MOUNT_PATH: ws.mount,
    MA_JOB_DIR: ws.jobDir,
    MA_LOG_DIR: ws.logs,
    WORKSPACE: ws.work,
    MA_TRAINING_JOB_ID: job.id,
    MA_TRAINING_JOB_NAME: job.name,
    MA_TRAINING_JOB_VERSION: version.version,
    MA_FLAVOR: job.resource.flavor,
    MA_NUM_GPUS: '0',
    MA_TASK_NAME: TASK_ROLE,
    MA_NUM_HOSTS: String(count),
    MA_CURRENT_IP: addresses[index].host,
    MA_VJ_NAME: vjName,
    MA_CURRENT_INSTANCE_NAME: `${vjName}-${taskName(index)}`,
    VC_TASK_INDEX: String(index),
    VC_WORKER_NUM: String(count),
    VC_WORKER_HOSTS: addresses.map((a) => a.host).join(','),
    ...olderNames(input, index),
    MA_METRICS_FD: String(METRICS_FD),
    ...obsEnv(input.obs),
    PYTHONUNBUFFERED: '1',
    PYTHONPATH: [repoPath('jobs', 'runtime', 'python'), SHARED_PYTHON_DIR].join(path.delimiter),
    PYTHONDONTWRITEBYTECODE: '1',
    ...computeEnv(input.compute),
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The names of ModelArts' older training service, which boot files of that time still read. */
function olderNames({ job, version, addresses }: ContractInput, index: number): Record<string, string> {
  const hostPort = (a: NodeAddress) => `${a.host}:${a.port}`;
  const batch =
    addresses.length === 1
      ? { [`BATCH_${job.name}.0_HOSTS`]: hostPort(addresses[0]) }
      : Object.fromEntries(addresses.map((a, i) => [`BATCH_CUSTOM${i}_HOSTS`, hostPort(a)]));
  return {
    DLS_TASK_INDEX: String(index),
    DLS_TASK_NUMBER: String(addresses.length),
    DLS_APP_URL: job.algorithm.code_dir,
    DLS_DATA_URL: job.inputs[0]?.url ?? '',
    DLS_TRAIN_URL: version.output_urls[0]?.url ?? '',
    ...batch,
  };
}
