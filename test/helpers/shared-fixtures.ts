import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../kernel/paths';

/** Where fixtures shared between projects live: SHARED_FIXTURES_DIR, else `<repo>/../shared/fixtures`. */
export function sharedFixturesDir(): string {
  return process.env.SHARED_FIXTURES_DIR ?? path.join(REPO_ROOT, '..', 'shared', 'fixtures');
}

/** A shared fixture folder, or undefined (with why) when this machine does not have it. */
export function sharedFixture(name: string): { dir?: string; absent?: string } {
  const dir = path.join(sharedFixturesDir(), name);
  if (fs.existsSync(dir)) return { dir };
  return { absent: `the shared fixtures folder ${dir} is not on this machine (set SHARED_FIXTURES_DIR to where it is)` };
}
