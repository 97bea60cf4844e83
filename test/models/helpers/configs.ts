import assert from 'node:assert/strict';
import type { ConfigCheck } from '../../../models/config-validator';

// Tests build configs freely, including wrong shapes.
export type Config = Record<string, any>;

/** The MNIST tutorial's config: one multipart api, as the quick start writes it. */
export function mnist(): Config {
  return {
    model_algorithm: 'image_classification',
    model_type: 'TensorFlow',
    runtime: 'python3.6',
    metrics: { f1: 0.98, recall: 0.98, precision: 0.98, accuracy: 0.98 },
    apis: [
      {
        protocol: 'http',
        url: '/',
        method: 'post',
        request: { 'Content-type': 'multipart/form-data', data: { type: 'object', properties: { images: { type: 'file' } } } },
        response: {
          'Content-type': 'application/json',
          data: {
            type: 'object',
            required: ['predicted_label', 'scores'],
            properties: {
              predicted_label: { type: 'string' },
              scores: { type: 'array', items: [{ type: 'array', minItems: 2, maxItems: 2, items: [{ type: 'string' }, { type: 'number' }] }] },
            },
          },
        },
      },
    ],
    dependencies: [{ installer: 'pip', packages: [{ package_name: 'numpy', package_version: '1.15.0', restraint: 'ATLEAST' }] }],
  };
}

export const MODEL_TYPES = ['TensorFlow', 'MXNet', 'Caffe', 'Spark_MLlib', 'Scikit_Learn', 'XGBoost', 'PyTorch', 'MindSpore', 'Image'];

export function changed(change: (c: Config) => unknown): Config {
  const c = mnist();
  change(c);
  return c;
}

/** The one problem of `check`, which must be at `path` and say every one of `words`. */
export function assertOneProblem(check: ConfigCheck, path: string, ...words: string[]): void {
  assert.equal(check.valid, false);
  assert.equal(check.config, undefined);
  assert.deepEqual(
    check.problems.map((p) => p.path),
    [path],
    JSON.stringify(check.problems),
  );
  for (const w of words) assert.ok(check.problems[0].message.includes(w), `"${check.problems[0].message}" says ${w}`);
}

export function assertWarning(check: ConfigCheck, path: string, ...words: string[]): void {
  assert.equal(check.valid, true, JSON.stringify(check.problems));
  const warning = check.warnings.find((w) => w.path === path);
  assert.ok(warning, `a warning at ${path} among ${JSON.stringify(check.warnings)}`);
  for (const w of words) assert.ok(warning.message.includes(w), `"${warning.message}" says ${w}`);
}
