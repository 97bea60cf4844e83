import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { describeExit, ExitInfo } from '../../kernel/process/supervise';
import { repoPath } from '../../kernel/paths';
import { computeEnv, type ComputeConfig } from '../../kernel/config';
import { JobRecord, JobVersion } from '../job-record';
import { LogBook } from './log-book';
import { MetricsSink } from './metrics';
import { Workspace } from './workspace';

/** The file descriptor on which boot files report metrics (see jobs/runtime/report.ts). */
export const METRICS_FD = 3;

export interface LaunchSpec {
  job: JobRecord;
  version: JobVersion;
  ws: Workspace;
  /** What a job gets to reach OBS itself, as ModelArts gives jobs temporary credentials. */
  obs: { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string };
  /** How the boot file's tfjs computes (loadTf() reads it back). */
  compute: ComputeConfig;
  /** The interpreter of a `python` engine job (platform/process/python.ts chose it). */
  python?: string;
}

export interface Launched {
  pids: number[];
  /** Resolves when every worker has exited; the first failure is the reason. */
  done: Promise<ExitInfo>;
  signal(sig: NodeJS.Signals): void;
}

/** Starts the boot file once per node (node_count), each as its own process group. */
export function launch(spec: LaunchSpec, logs: LogBook, metrics: MetricsSink): Launched {
  const count = spec.job.resource.node_count;
  const workers = Array.from({ length: count }, (_, index) => startWorker(spec, index, logs, metrics));
  const done = Promise.all(workers.map((w) => w.exited)).then(
    (exits) => exits.find((e) => e.code !== 0) ?? exits[0],
  );
  return {
    pids: workers.map((w) => w.child.pid ?? -1),
    done,
    signal(sig) {
      for (const w of workers) killGroup(w.child, sig);
    },
  };
}

function startWorker(spec: LaunchSpec, index: number, logs: LogBook, metrics: MetricsSink): { child: ChildProcess; exited: Promise<ExitInfo> } {
  const { command, args } = commandLine(spec);
  const child = spawn(command, args, {
    cwd: spec.ws.code,
    env: environment(spec, index),
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = spec.job.resource.node_count > 1 ? `[worker-${index}] ` : '';
  const toLog = lineWriter(logs, prefix);
  child.stdout!.on('data', toLog);
  child.stderr!.on('data', toLog);
  (child.stdio[METRICS_FD] as NodeJS.ReadableStream).on('data', (c: Buffer) => metrics.feed(c));
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => resolve({ code: 127, signal: null, reason: `could not be started: ${err.message}` }));
    child.once('exit', (code, signal) => {
      // Grandchildren the boot file left behind go with it, as with a finished container.
      killGroup(child, 'SIGKILL');
      child.once('close', () => resolve({ code, signal, reason: describeExit(code, signal) }));
    });
  });
  return { child, exited };
}

function commandLine(spec: LaunchSpec): { command: string; args: string[] } {
  const boot = path.join(spec.ws.code, spec.job.algorithm.boot_file);
  const dirArg = (name: string, dir: string) => `--${name}=${dir}${path.sep}`;
  const args = [
    ...Object.entries(spec.ws.inputs).map(([n, d]) => dirArg(n, d)),
    ...Object.entries(spec.ws.outputs).map(([n, d]) => dirArg(n, d)),
    ...spec.version.parameters.map((p) => `--${p.name}=${p.value}`),
  ];
  if (spec.job.algorithm.engine === 'python') return { command: spec.python ?? 'python3', args: ['-u', boot, ...args] };
  return { command: process.execPath, args: [boot, ...args] };
}

/**
 * What a boot file's process receives: the ModelArts variables, OBS access, the
 * compute settings and a minimal base (PATH, locale). Nothing else of the platform's
 * own environment.
 */
function environment(spec: LaunchSpec, index: number): NodeJS.ProcessEnv {
  const { job, version, ws, obs } = spec;
  const first = (list: { url: string }[]) => list[0]?.url ?? '';
  const outputUrl = version.output_urls[0]?.url ?? '';
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: process.env.LANG ?? 'C.UTF-8',
    TZ: process.env.TZ,
    // The job's own variables, which the platform's below may not be replaced by.
    ...job.algorithm.environments,
    HOME: ws.root,
    TMPDIR: ws.tmp,
    MA_JOB_DIR: ws.code,
    MA_LOG_DIR: ws.logs,
    MA_TRAINING_JOB_ID: job.id,
    MA_TRAINING_JOB_NAME: job.name,
    MA_TRAINING_JOB_VERSION: version.version,
    MA_NUM_HOSTS: String(job.resource.node_count),
    MA_NUM_GPUS: '0',
    MA_FLAVOR: job.resource.flavor,
    DLS_TASK_INDEX: String(index),
    DLS_TASK_NUMBER: String(job.resource.node_count),
    VC_TASK_INDEX: String(index),
    DLS_DATA_URL: first(job.inputs),
    DLS_TRAIN_URL: outputUrl,
    MA_METRICS_FD: String(METRICS_FD),
    S3_ENDPOINT: obs.endpoint,
    S3_USE_HTTPS: obs.endpoint.startsWith('https:') ? '1' : '0',
    S3_VERIFY_SSL: '0',
    AWS_ACCESS_KEY_ID: obs.accessKeyId,
    AWS_SECRET_ACCESS_KEY: obs.secretAccessKey,
    AWS_REGION: obs.region,
    PYTHONUNBUFFERED: '1',
    PYTHONPATH: repoPath('jobs', 'runtime', 'python'),
    PYTHONDONTWRITEBYTECODE: '1',
    ...computeEnv(spec.compute),
  };
}

/** Forwards output to the log; with several workers each line is prefixed with its worker. */
function lineWriter(logs: LogBook, prefix: string): (chunk: Buffer) => void {
  if (!prefix) return (chunk) => logs.write(chunk);
  let partial = '';
  return (chunk) => {
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    if (lines.length) logs.write(Buffer.from(lines.map((l) => prefix + l + '\n').join('')));
  };
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // the group is gone already
  }
}
