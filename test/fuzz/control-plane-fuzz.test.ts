import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { useTestVenv } from '../helpers/test-venv';
import { FUZZ_TOKEN, prepareResources, resourcesToml } from './fuzz-fixtures';
import { figures, findings, fuzzBudget, runSchemathesis } from './schemathesis';

/**
 * Schemathesis against the control plane's /openapi.json — our API, ModelArts' v1/v2/v3
 * families and the gateways — on a platform that requires credentials: every operation with
 * examples, boundary cases, random ones and stateful chains along the document's links
 * (create → get → delete), checking that nothing answers 5xx, that every answer matches its
 * documented status and schema, that calls without the token are refused, and that nothing
 * takes longer than the platform's time limits.
 */
describe('Schemathesis against the control plane\'s OpenAPI document [heavy]', function () {
  const venv = useTestVenv(this);
  const budget = fuzzBudget();
  // A few minutes in CI (5 examples per operation); npm run test:fuzz asks for more.
  this.timeout(120_000 + budget.examples * 60_000);
  let t: TestPlatform;

  before(async () => {
    t = await startTestPlatform({ AUTH_TOKEN: FUZZ_TOKEN, IAM_USERS: 'fuzz-user:fuzz-password', REQUEST_TIMEOUT_MS: '5000', PREDICT_TIMEOUT_MS: '5000' });
  });

  after(async () => t?.close());

  it('finds no server error, no answer off its documented status or schema, no ignored credentials and no hang', async () => {
    const resources = await prepareResources(t);
    const run = await runSchemathesis(venv(), budget, {
      document: `${t.url}/openapi.json`,
      headers: { 'X-Auth-Token': FUZZ_TOKEN },
      extraToml: resourcesToml(resources),
      requestTimeoutS: 15,
      label: 'control-plane',
    });
    process.stdout.write(`      ${figures('control plane', run, budget)}\n`);
    assert.equal(run.report.operations.tested, run.report.operations.selected, 'every operation was tested');
    assert.ok(run.report.operations.tested >= 50, `the document describes the control plane's routes (${run.report.operations.tested} operations)`);
    assert.equal(run.report.failures.length + run.report.errors.length, 0, findings(run));
  });
});
