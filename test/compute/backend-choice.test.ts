import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { distPath } from '../../platform/paths';
import { tfjsNodeInstalled } from '../../platform/compute/tf';

const run = promisify(execFile);

/** What a boot file sees: the backend loadTf() gives in a fresh process, or the error. */
async function backendIn(script: string): Promise<string> {
  const env = { ...process.env };
  delete env.TF_BACKEND;
  const code = `const ma = require(${JSON.stringify(distPath('jobs/runtime/index.js'))});
(async () => { ${script} })().then((r) => console.log(r), (e) => console.log('error: ' + e.message));`;
  const { stdout } = await run(process.execPath, ['-e', code], { env });
  return stdout.trim();
}

describe('loadTf picks the backend per workload', function () {
  this.timeout(30_000);
  const fastest = tfjsNodeInstalled() ? 'tensorflow' : 'wasm';

  it('gives the fastest backend when the workload names no kernels', async () => {
    assert.equal(await backendIn('return (await ma.loadTf()).getBackend();'), fastest);
  });

  it('gives the fastest backend that has every kernel the workload needs', async () => {
    // wasm has no UnsortedSegmentSum (the gradient of gather, so of embeddings).
    const expected = tfjsNodeInstalled() ? 'tensorflow' : 'cpu';
    assert.equal(await backendIn("return (await ma.loadTf({ needs: ['UnsortedSegmentSum', 'Conv2D'] })).getBackend();"), expected);
  });

  it('trains convolutions on wasm: the filter gradient kernel is there', async () => {
    assert.equal(await backendIn("return (await ma.loadTf({ needs: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'] })).getBackend();"), fastest);
  });

  it('refuses a later call whose kernels the chosen backend lacks, and says why', async () => {
    if (tfjsNodeInstalled()) return;
    const answer = await backendIn("await ma.loadTf(); return (await ma.loadTf({ needs: ['UnsortedSegmentSum'] })).getBackend();");
    assert.match(answer, /^error: this process already computes on wasm, which has no UnsortedSegmentSum kernel/);
  });
});
