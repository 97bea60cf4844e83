import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { deployService, importMnist } from '../helpers/services';
import { useTestVenv } from '../helpers/test-venv';
import { figures, findings, fuzzBudget, runSchemathesis, type FuzzBudget } from './schemathesis';

/** The MNIST package without inference code, its config.json saying that it takes JSON: `{"images": [[784 numbers], …]}`. */
async function asJsonApi(modelDir: string): Promise<void> {
  await fs.rm(path.join(modelDir, 'customize_service.js'));
  const configFile = path.join(modelDir, 'config.json');
  const config = JSON.parse(await fs.readFile(configFile, 'utf8'));
  // Pixels are scaled to [0, 1], as the model was trained; probabilities are within it too.
  const rows = (n: number) => ({ type: 'array', minItems: 1, maxItems: 8, items: { type: 'array', minItems: n, maxItems: n, items: { type: 'number', minimum: 0, maximum: 1 } } });
  config.apis = [
    {
      protocol: 'http',
      url: '/',
      method: 'post',
      // The model takes no other inputs: a field besides images is refused, as the schema says.
      request: { 'Content-type': 'application/json', data: { type: 'object', required: ['images'], additionalProperties: false, properties: { images: rows(784) } } },
      response: { 'Content-type': 'application/json', data: { type: 'object', required: ['scores'], properties: { scores: { ...rows(10), maxItems: undefined } } } },
    },
  ];
  await fs.writeFile(configFile, JSON.stringify(config, null, 1));
}

/**
 * Schemathesis against the OpenAPI document each service serves at <access address>/openapi.json:
 * the model's own API as its config.json declares it (multipart with a file for the tutorial's
 * hook, JSON for a model served without inference code), TF Serving's REST API, the Open
 * Inference Protocol, /metrics and /health — on the service's own port.
 */
describe("Schemathesis against a service's OpenAPI document [heavy]", function () {
  const venv = useTestVenv(this);
  const budget: FuzzBudget = fuzzBudget();
  this.timeout(120_000 + budget.examples * 30_000);
  let t: TestPlatform;

  before(async () => {
    t = await startTestPlatform({ REQUEST_TIMEOUT_MS: '5000', PREDICT_TIMEOUT_MS: '5000' });
  });

  after(async () => t?.close());

  for (const [kind, change] of [
    ['multipart', undefined],
    ['json', asJsonApi],
  ] as const) {
    it(`finds no server error and no answer off the document on a service whose API takes ${kind}`, async () => {
      const model = await importMnist(t, `fuzz-${kind}`, `fuzz-${kind}`, '1.0.0', change);
      const service = await deployService(t.url, { name: `fuzz-${kind}`, model_id: model.id });
      assert.equal(service.status, 'running', service.reason);
      const run = await runSchemathesis(venv(), budget, { document: `${service.access_address}openapi.json`, requestTimeoutS: 15, label: `service-${kind}` });
      process.stdout.write(`      ${figures(`service (${kind})`, run, budget)}\n`);
      assert.equal(run.report.operations.tested, run.report.operations.selected, 'every operation was tested');
      assert.equal(run.report.failures.length + run.report.errors.length, 0, findings(run));
    });
  }
});
