import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Mocha's global fixtures (loaded through .mocharc's `require`). Every temporary folder of a run —
// the tests' own, the platforms' data folders, what the child processes and Python make — goes under
// one folder made here and removed at the end, so a run leaves nothing behind however it ends
// and a machine's disk does not fill over several runs (a SavedModel's platform folder alone holds
// hundreds of MB). os.tmpdir() reads TMPDIR on each call, and children inherit it.
let runDir: string | undefined;

export function mochaGlobalSetup(): void {
  runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelarts-local-tests-'));
  process.env.TMPDIR = runDir;
}

export function mochaGlobalTeardown(): void {
  if (!runDir) return;
  fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 3 });
}
