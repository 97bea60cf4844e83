import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadComputeConfig } from '../../kernel/config';
import { loadNativeAddon } from '../../compute/native-addon';
import { repoPath } from '../../kernel/paths';
import { tempDir } from '../helpers/platform';

const run = promisify(execFile);

/** A copy of the addon's sources, built where it cannot spoil the repository's own build. */
async function sourcesCopy(): Promise<string> {
  const dir = await tempDir('native-build');
  const source = repoPath('compute', 'native');
  await fs.promises.cp(source, dir, { recursive: true, filter: (src) => src !== path.join(source, 'build') });
  return dir;
}

describe('building the native addon at install', function () {
  this.timeout(120_000);

  it('is a step of the root package that npm ci runs (npm runs no dependency install scripts by default)', () => {
    const pkg = JSON.parse(fs.readFileSync(repoPath('package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.install, 'node compute/native/build.js');
  });

  it('never fails the install: without a compiler it says what to install, exits 0, and the platform repeats why', async () => {
    const dir = await sourcesCopy();
    const env = { ...process.env, CXX: path.join(dir, 'no-such-compiler', 'g++'), NODE_PATH: repoPath('node_modules') };
    const { stdout } = await run(process.execPath, [path.join(dir, 'build.js')], { cwd: dir, env });
    assert.match(stdout, /native compute addon not built: no C\+\+ compiler or make \(Debian packages g\+\+ and make\)\. The platform will compute on WebAssembly\. To build it: apt-get install .*libdnnl-dev libopenblas-dev, then npm run build:native/);
    const load = loadNativeAddon({ ...loadComputeConfig(), addon: path.join(dir, 'build', 'Release', 'ma_native.node') });
    assert.equal(load.addon, undefined);
    assert.equal((load as { reason: string }).reason, 'not built: no C++ compiler or make (Debian packages g++ and make)');
  });
});
