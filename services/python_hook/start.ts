/**
 * Brings up the Python side of an instance whose hook is customize_service.py: checks
 * config.json's dependencies in the chosen Python (nothing is installed), answers the
 * workers' model calls on their channel (and serves the model's TF Serving API on
 * loopback for hooks that call it themselves), and starts the worker pool.
 */
import path from 'node:path';
import { repoPath } from '../../kernel/paths';
import { SHARED_PYTHON_DIR } from '../../kernel/storage/obs-env';
import { choosePython } from '../../kernel/process/python';
import { log } from '../../kernel/log';
import { loadServables, ServableSet } from '../tf_serving/servables';
import type { Tf } from '../../compute/tf';
import type { InstanceOptions } from '../instance/protocol';
import { hookRequirements, missingMessage, requirementNotes } from './dependencies';
import { startLoopbackTfServing } from './loopback-tf-serving';
import { modelCaller } from './model-calls';
import { PythonWorkerPool } from './worker-pool';
import { PROTOCOL_FD } from './python-worker';
import { PYTHON_HOOK } from './hook-file';

export { isPythonHook } from './hook-file';

/** The `model_service` package hooks import, and the worker script. */
const PYTHON_RUNTIME_DIR = repoPath('services', 'model_service', 'python');
const WORKER_SCRIPT = repoPath('services', 'python_hook', 'worker', 'ma_hook_worker.py');
const WORKER_START_TIMEOUT_MS = 60_000;
/** What every PyTorch hook imports, whatever config.json lists. */
const PYTORCH_NEEDS = ['torch'];
const PYTORCH_NOT_SERVABLE = 'this is a PyTorch model, which its customize_service.py runs; TF Serving\'s API and the V2 protocol serve TensorFlow models';
/** Room for the JSON header beside the largest body a request may carry. */
const FRAME_HEADER_ROOM = 1024 * 1024;
/** Hook failures whose traceback also becomes a service event (all go to the log). */
const MAX_TRACEBACK_EVENTS = 5;

export type EventSink = (level: 'info' | 'warning' | 'error', message: string) => void;

export interface PythonHook {
  predictor: PythonWorkerPool;
  servables: ServableSet;
  hook: string;
  notes: string[];
  close(): Promise<void>;
}

export async function startPythonHook(opts: InstanceOptions, tf: Tf, onEvent: EventSink): Promise<PythonHook> {
  const settings = opts.python ?? { workers: 1, dependencies: [] };
  const pytorch = opts.modelType === 'PyTorch';
  const reqs = hookRequirements(settings.dependencies, pytorch ? PYTORCH_NEEDS : []);
  const env = workerEnv(opts);
  const probe = await choosePython(settings.setting, { modules: reqs.required.map((r) => r.module), distributions: reqs.required.map((r) => r.name), env });
  const missing = missingMessage(reqs, probe);
  if (missing) throw new Error(missing);
  const { servables, loopback } = await modelServer(opts, tf, pytorch, env);
  const pool = new PythonWorkerPool({
    size: settings.workers,
    timeoutMs: opts.timeoutMs,
    launch: {
      python: probe.command,
      script: WORKER_SCRIPT,
      cwd: opts.modelDir,
      env,
      maxFrameBytes: opts.maxBodyBytes + FRAME_HEADER_ROOM,
      startTimeoutMs: WORKER_START_TIMEOUT_MS,
      onModelCall: modelCaller(servables),
      onOutput: outputSink(opts),
    },
    onEvent,
    onTraceback: tracebackSink(opts, onEvent),
    onFatal: (message) => {
      onEvent('error', message);
      // The platform restarts the instance (with backoff), which checks the Python again.
      setTimeout(() => process.exit(1), 100);
    },
  });
  let ready;
  try {
    ready = await pool.start();
  } catch (err) {
    loopback?.close();
    throw err;
  }
  return {
    predictor: pool,
    servables,
    hook: `${PYTHON_HOOK} (class ${ready.hook_class}; Python ${ready.python_version} at ${ready.executable}, ${settings.workers} worker${settings.workers === 1 ? '' : 's'})`,
    notes: requirementNotes(reqs, probe),
    close: async () => {
      await pool.close();
      loopback?.close();
    },
  };
}

/**
 * A TensorFlow model runs in this instance, behind TF Serving's API on loopback, which the
 * workers' TfServingBaseService calls (its address goes into `env`); a PyTorch model runs in the hook.
 */
async function modelServer(opts: InstanceOptions, tf: Tf, pytorch: boolean, env: NodeJS.ProcessEnv): Promise<{ servables: ServableSet; loopback?: { close(): void } }> {
  if (pytorch) return { servables: new ServableSet(opts.serviceName, [], PYTORCH_NOT_SERVABLE) };
  const servables = await loadServables(opts.serviceName, opts.modelDir, tf);
  const loopback = await startLoopbackTfServing(servables, opts.maxBodyBytes);
  env.MA_TF_SERVING_URL = loopback.url;
  env.MA_TF_SERVING_TOKEN = loopback.token;
  return { servables, loopback };
}

/** What a worker's process gets: the instance's (minimal) environment, the runtime package, one thread for numpy. */
function workerEnv(opts: InstanceOptions): NodeJS.ProcessEnv {
  const own = process.env.PYTHONPATH;
  return {
    ...process.env,
    PYTHONPATH: [PYTHON_RUNTIME_DIR, SHARED_PYTHON_DIR, ...(own ? [own] : [])].join(path.delimiter),
    PYTHONUNBUFFERED: '1',
    // The package folder is the user's: no __pycache__ written into it.
    PYTHONDONTWRITEBYTECODE: '1',
    // Several workers share the cores: one BLAS thread each, unless the service says otherwise.
    OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1',
    OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? '1',
    MA_HOOK_FILE: path.join(opts.modelDir, PYTHON_HOOK),
    MA_MODEL_NAME: opts.modelName,
    // PyTorch hooks get the weights file (os.path.dirname(self.model_path) is the package); others the package.
    MA_MODEL_PATH: opts.modelFile ? path.join(opts.modelDir, opts.modelFile) : opts.modelDir,
    MA_TF_SERVING_MODEL: opts.serviceName,
    MA_PROTOCOL_FD: String(PROTOCOL_FD),
  };
}

/** The hook's own output (prints, warnings) goes to the platform log under the instance's name. */
function outputSink(opts: InstanceOptions): (stream: 'stdout' | 'stderr', line: string, pid: number) => void {
  return (stream, line, pid) => {
    const text = `service ${opts.serviceName} instance ${opts.instanceId} python[${pid}]: ${line}`;
    if (stream === 'stdout') log.info(text);
    else log.warn(text);
  };
}

/** A traceback of a failed request: always to the log, and for the first few also as a service event. */
function tracebackSink(opts: InstanceOptions, onEvent: EventSink): (traceback: string, pid: number) => void {
  let count = 0;
  return (traceback, pid) => {
    log.warn(`service ${opts.serviceName} instance ${opts.instanceId} python[${pid}]: ${traceback}`);
    if (count++ < MAX_TRACEBACK_EVENTS) onEvent('error', `customize_service.py raised (Python worker ${pid}):\n${traceback}`);
  };
}
