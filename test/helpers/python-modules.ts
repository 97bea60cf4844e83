import { choosePython } from '../../kernel/process/python';

/**
 * In a describe(): the platform's Python (as jobs and hooks choose it) must import `modules`
 * (Debian's python3-torch, python3-boto3 …, which .ci/run installs). Where it cannot, the suite
 * skips, saying why, except under REQUIRE_TEST_VENV=1 (CI), where that fails instead.
 */
export function usePythonModules(suite: Mocha.Suite, modules: string[]): void {
  before(async function () {
    const probe = await choosePython(process.env.PYTHON, { modules });
    const missing = Object.entries(probe.missing).map(([m, why]) => `${m} (${why})`);
    if (!missing.length) return;
    const why = `${probe.executable} cannot import ${missing.join(', ')}`;
    if (process.env.REQUIRE_TEST_VENV === '1') throw new Error(`${why}; REQUIRE_TEST_VENV=1 makes that a failure`);
    suite.title += ` (skipped: ${why})`;
    this.skip();
  });
}
