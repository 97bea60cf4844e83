import assert from 'node:assert/strict';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { MNIST_BOOT, uploadMnistCode, uploadMnistData } from '../helpers/mnist-model';
import { cli } from '../helpers/cli';

const CODE = 'obs://cli-train/code/';
const DATA = 'obs://cli-train/data/';

describe('the command line follows a training job as docs/cli.md says', function () {
  this.timeout(180_000);
  let t: TestPlatform;

  before(async () => {
    t = await startTestPlatform();
    await uploadMnistCode(t.store, CODE);
    await uploadMnistData(t.store, DATA);
  });
  after(async () => t?.close());

  const train = (name: string, output: string, ...more: string[]) =>
    cli(t.url, 'train', '--name', name, '--code', CODE, '--boot-file', MNIST_BOOT, '--data', DATA, '--output', output, '--param', 'max_steps=200', ...more);

  it('prints, piped, one line per status, a progress line every 5% up to 100%, then the end line', async () => {
    const { code, lines } = await train('cli-follow', 'obs://cli-train/out/');
    assert.equal(code, 0, lines.join('\n'));
    assert.match(lines[0], /^training job cli-follow V0001 \(.+\) created$/);
    assert.equal(lines.filter((l) => /^cli-follow V0001: Running$/.test(l)).length, 1, lines.join('\n'));
    const percents = lines.map((l) => /^\[[#-]+\]\s+(\d+)%/.exec(l)?.[1]).filter((p) => p !== undefined).map(Number);
    // The tutorial's boot file reports every 10 of the 200 steps: 5%, 10% … 100%, each once.
    assert.deepEqual(percents, Array.from({ length: 20 }, (_, i) => (i + 1) * 5), lines.join('\n'));
    const end = lines.indexOf('cli-follow V0001: Completed');
    assert.ok(end > lines.findIndex((l) => / 100%/.test(l)), 'the final status comes after the last progress line');
    assert.match(lines[end + 1], /^Completed in \d+\.\d s; last metrics: step 200 /);
  });

  it('refuses a second job on the same output folder, naming the first, and writes there with --overwrite', async () => {
    const refused = await train('cli-second', 'obs://cli-train/out/', '--detach');
    assert.equal(refused.code, 1);
    assert.match(refused.lines.join('\n'), /409 .*training job cli-follow V0001/);
    const forced = await train('cli-second', 'obs://cli-train/out/', '--detach', '--overwrite');
    assert.equal(forced.code, 0, forced.lines.join('\n'));
  });
});
