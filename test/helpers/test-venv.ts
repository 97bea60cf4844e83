import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../kernel/paths';

/**
 * The tests' Python virtual environment (TensorFlow, TF Serving's API, Huawei's SDKs, boto3,
 * schemathesis), made by `npm run test:venv`. Tests that compare the platform with those peers
 * skip, saying why, where it is absent — except under REQUIRE_TEST_VENV=1 (CI), where a missing
 * environment fails them instead, so a broken install can never pass as a skip.
 */
export interface TestVenv {
  /** The venv's python. */
  python: string;
  /** Its bin folder (for tools such as schemathesis' `st`). */
  bin: string;
}

export function testVenvDir(): string {
  return process.env.TEST_VENV ? path.resolve(REPO_ROOT, process.env.TEST_VENV) : path.join(REPO_ROOT, '.venv');
}

/** The venv, or why it is not usable here. */
export function testVenv(): { venv?: TestVenv; absent?: string } {
  const dir = testVenvDir();
  const python = path.join(dir, 'bin', 'python');
  if (fs.existsSync(python) && fs.existsSync(path.join(dir, '.requirements.sha256'))) {
    return { venv: { python, bin: path.join(dir, 'bin') } };
  }
  const absent = `the tests' Python environment ${dir} is not set up (run npm run test:venv)`;
  if (process.env.REQUIRE_TEST_VENV === '1') throw new Error(`${absent}; REQUIRE_TEST_VENV=1 makes that a failure`);
  return { absent };
}

/**
 * In a describe(): skips the suite, saying why, when the venv is absent; returns a getter for it.
 * Usage: `const venv = useTestVenv(this);` then `venv().python` inside tests and hooks.
 */
export function useTestVenv(suite: Mocha.Suite): () => TestVenv {
  const found = testVenv();
  if (!found.venv) {
    before(function () {
      this.skip();
    });
    suite.title += ` (skipped: ${found.absent})`;
  }
  return () => {
    if (!found.venv) throw new Error(found.absent);
    return found.venv;
  };
}
