import os from 'node:os';
import { ApiError } from '../../kernel/errors';
import type { Engine } from '../job-record';

/** A training engine as ModelArts' v2 API lists it, and which of ours runs it. */
export interface EngineEntry {
  engine_id: string;
  engine_name: string;
  engine_version: string;
  runs: Engine;
}

export const ENGINE_CATALOG: readonly EngineEntry[] = [
  { engine_id: 'tfjs-4-node20', engine_name: 'TensorFlow.js', engine_version: 'tfjs-4-node20-x86_64', runs: 'tfjs' },
  { engine_id: 'node-20', engine_name: 'Node.js', engine_version: 'node-20-x86_64', runs: 'node' },
  { engine_id: 'python-3', engine_name: 'Python', engine_version: 'python3-x86_64', runs: 'python' },
];

/** ModelArts' own engine names whose boot files are Python scripts; they run on this machine's python3. */
const PYTHON_FRAMEWORKS = ['tensorflow', 'pytorch', 'mindspore', 'scikit_learn', 'xgboost', 'mxnet', 'caffe', 'ray', 'horovod'];

/**
 * Which engine runs a v2 job: ours named by id or name, a ModelArts framework name
 * (a Python engine here), or, with none named, the boot file's extension decides.
 */
export function engineFor(engine: { engine_id?: string; engine_name?: string; image_url?: string } | undefined, bootFile: string): EngineEntry {
  if (engine?.image_url) {
    throw new ApiError('invalid_request', 'custom images (algorithm.engine.image_url) cannot run here; name an engine from GET /v2/{project_id}/training-job-engines', [
      { path: 'algorithm.engine.image_url', message: 'is not supported by this platform' },
    ]);
  }
  const byId = ENGINE_CATALOG.find((e) => e.engine_id === engine?.engine_id);
  if (byId) return byId;
  const name = engine?.engine_name?.toLowerCase();
  const byName = ENGINE_CATALOG.find((e) => e.engine_name.toLowerCase() === name || e.runs === name);
  if (byName) return byName;
  const isPython = /\.py$/.test(bootFile);
  if (name && !PYTHON_FRAMEWORKS.some((f) => name.startsWith(f))) {
    throw new ApiError('invalid_request', `engine ${engine?.engine_name} is not available here; GET /v2/{project_id}/training-job-engines lists the engines`, [
      { path: 'algorithm.engine.engine_name', message: `must be one of ${ENGINE_CATALOG.map((e) => e.engine_name).join(', ')}, or a Python framework name` },
    ]);
  }
  if (name && JAVASCRIPT.test(bootFile)) {
    throw new ApiError('invalid_request', `engine ${engine?.engine_name} runs Python boot files, and ${bootFile} is JavaScript; name engine Node.js or TensorFlow.js for it, or give a .py boot file`, [
      { path: 'algorithm.boot_file', message: `is JavaScript, which engine ${engine?.engine_name} (Python) does not run` },
    ]);
  }
  return ENGINE_CATALOG.find((e) => e.runs === (isPython || name ? 'python' : 'tfjs'))!;
}

const JAVASCRIPT = /\.(c|m)?js$/i;

export function engineOf(runs: Engine): EngineEntry {
  return ENGINE_CATALOG.find((e) => e.runs === runs)!;
}

/** Flavors as ModelArts lists them; every one runs on this machine's CPUs, without limits of its own. */
export function flavorCatalog(): Record<string, unknown>[] {
  const cores = os.availableParallelism();
  const memoryGb = Math.round(os.totalmem() / 1024 ** 3);
  return ['modelarts.vm.cpu.2u', 'modelarts.vm.cpu.8u'].map((flavor_id) => ({
    flavor_id,
    flavor_name: `CPU: ${flavor_id.split('.').pop()} (local: ${cores} cores, ${memoryGb} GB shared)`,
    flavor_type: 'CPU',
    max_num: 8,
    billing: { code: flavor_id, unit_num: 1 },
    flavor_info: {
      max_num: 8,
      cpu: { arch: os.arch() === 'arm64' ? 'arm' : 'x86', core_num: cores },
      memory: { size: memoryGb, unit: 'GB' },
      disk: { size: '0', unit: 'GB' },
    },
    attributes: { local: 'true' },
  }));
}
