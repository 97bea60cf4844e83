import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { distPath } from '../../kernel/paths';
import { tfjsNodeInstalled } from '../../compute/tf';
import { librariesInstalled, nativeUnavailable } from './helpers/native';

const run = promisify(execFile);

/** What a boot file sees: the backend loadTf() gives in a fresh process, or the error. */
async function backendIn(script: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const childEnv = { ...process.env, ...env };
  if (!('TF_BACKEND' in env)) delete childEnv.TF_BACKEND;
  const code = `const ma = require(${JSON.stringify(distPath('jobs/runtime/index.js'))});
(async () => { ${script} })().then((r) => console.log(r), (e) => console.log('error: ' + e.message));`;
  const { stdout } = await run(process.execPath, ['-e', code], { env: childEnv });
  return stdout.trim();
}

/** The native addon hidden, as on a machine without the libraries. */
const WITHOUT_ADDON = { COMPUTE_ADDON: 'off' };

describe('loadTf picks the backend per workload', function () {
  this.timeout(30_000);
  const native = !nativeUnavailable();
  const fallback = tfjsNodeInstalled() ? 'tensorflow' : 'wasm';
  const fastest = native ? 'native' : fallback;

  it('has the native addon wherever oneDNN and OpenBLAS are installed (npm ci built it)', function () {
    if (!librariesInstalled()) this.skip();
    assert.equal(nativeUnavailable(), undefined);
  });

  it('gives the fastest backend when the workload names no kernels', async () => {
    assert.equal(await backendIn('return (await ma.loadTf()).getBackend();'), fastest);
  });

  it('gives the native backend for any kernel the cpu backend has (it falls back to them)', async function () {
    if (!native) this.skip();
    assert.equal(await backendIn("return (await ma.loadTf({ needs: ['UnsortedSegmentSum', 'Conv2D'] })).getBackend();"), 'native');
  });

  it('without the addon, falls back to wasm and says why', async () => {
    const answer = await backendIn("const c = await ma.computeInfo(); return c.backend + ' | ' + c.notes.join('; ');", WITHOUT_ADDON);
    assert.equal(answer, `${fallback} | native: the native addon is switched off (COMPUTE_ADDON=off)`);
  });

  it('without the addon, gives the fastest backend that has every kernel the workload needs', async () => {
    // wasm has no UnsortedSegmentSum (the gradient of gather, so of embeddings).
    const expected = tfjsNodeInstalled() ? 'tensorflow' : 'cpu';
    assert.equal(await backendIn("return (await ma.loadTf({ needs: ['UnsortedSegmentSum', 'Conv2D'] })).getBackend();", WITHOUT_ADDON), expected);
  });

  it('trains convolutions on wasm: the filter gradient kernel is there', async () => {
    assert.equal(await backendIn("return (await ma.loadTf({ needs: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] })).getBackend();", WITHOUT_ADDON), fallback);
  });

  it('refuses a later call whose kernels the chosen backend lacks, and says why', async function () {
    // With tfjs-node the fallback (tensorflow) has every kernel: there is nothing to refuse.
    if (tfjsNodeInstalled()) this.skip();
    const answer = await backendIn("await ma.loadTf(); return (await ma.loadTf({ needs: ['UnsortedSegmentSum'] })).getBackend();", WITHOUT_ADDON);
    assert.match(answer, /^error: this process already computes on wasm, which has no UnsortedSegmentSum kernel/);
  });

  it('takes TF_BACKEND over its own choice, and refuses a name it does not know', async () => {
    assert.equal(await backendIn('return (await ma.loadTf()).getBackend();', { TF_BACKEND: 'cpu' }), 'cpu');
    assert.match(await backendIn('return (await ma.loadTf()).getBackend();', { TF_BACKEND: 'gpu' }), /^error: TF_BACKEND="gpu" is not valid: TF_BACKEND accepts native, tensorflow, wasm, cpu/);
  });

  it('says why a forced native backend cannot start', async () => {
    assert.match(await backendIn('return (await ma.loadTf()).getBackend();', { TF_BACKEND: 'native', ...WITHOUT_ADDON }), /^error: no compute backend could start \(native: the native addon is switched off/);
  });
});
