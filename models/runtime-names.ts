import { nearest, typoAllowance } from '../kernel/util/spelling';

/**
 * config.json's `runtime`: ModelArts lists its values per engine (GET
 * /v1/{project_id}/models/ai-engine-runtimes), and the lists change with regions and
 * years, so the platform accepts every value of the families ModelArts has used and warns
 * about anything else — a typo such as "tfjss" says so instead of passing silently. The
 * runtime does not change how a model runs here: the package's files do.
 */

/** Values seen in ModelArts' lists, and this platform's own `tfjs`; typos are matched against these. */
export const KNOWN_RUNTIMES = [
  'tfjs',
  'python2.7',
  'python3.6',
  'python3.7',
  'tf1.13-python3.6-cpu',
  'tf1.13-python3.6-gpu',
  'tf1.13-python3.7-cpu',
  'tf1.13-python3.7-gpu',
  'tf2.1-python3.7',
  'pytorch1.4-python3.7',
  'tensorflow_2.1.0-cuda_10.1-py_3.7-ubuntu_18.04-x86_64',
  'pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64',
] as const;

const FAMILIES: readonly RegExp[] = [
  // python3.6, python3.6-cuda10.0
  /^python[23]\.\d+(-cuda[\d.]+)?$/,
  // tf1.13-python3.6-cpu, pytorch1.5-python3.7, mxnet1.2.1-python3.7, tf1.13-python3.7-aiflow-gpu
  /^(tf|tensorflow|pytorch|mxnet|caffe|ms|mindspore|spark|xgboost|scikit_learn)[\d.]*-python[23]\.\d+(-[a-z0-9.]+)*$/i,
  // The unified images: tensorflow_2.1.0-cuda_10.1-py_3.7-ubuntu_18.04-x86_64, mindspore_1.10.0-cann_6.0.1-py_3.7-euler_2.8.3-aarch64
  /^(tensorflow|pytorch|mindspore|mxnet)_[\d.]+(-[a-z0-9_.]+)+$/i,
];

/** A warning for a runtime that is none of ModelArts' families nor `tfjs`, or undefined. */
export function runtimeWarning(runtime: unknown): string | undefined {
  if (typeof runtime !== 'string' || runtime === '') return undefined;
  if ((KNOWN_RUNTIMES as readonly string[]).includes(runtime) || FAMILIES.some((re) => re.test(runtime))) return undefined;
  const meant = nearest(runtime, KNOWN_RUNTIMES, typoAllowance(runtime.length));
  const hint = meant ? ` (did you mean ${JSON.stringify(meant)}?)` : '';
  return (
    `${JSON.stringify(runtime)} is not a runtime ModelArts lists (such as python3.6, tf1.13-python3.6-cpu or ` +
    `pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64) nor this platform's tfjs${hint}; ` +
    'it is kept as written, and does not change how the model runs here'
  );
}
