import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { repoPath } from '../../kernel/paths';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { trainedMnistPackage, uploadFolder } from '../helpers/mnist-model';
import { cli } from '../helpers/cli';

const SAMPLE_CONFIG = repoPath('samples', 'mnist', 'code', 'model-package', 'config.json');

describe('the command line shows config.json\'s warnings where users look', function () {
  this.timeout(120_000);
  let t: TestPlatform;
  let dir: string;

  before(async () => {
    t = await startTestPlatform();
    dir = await tempDir('cli-config');
  });
  after(async () => t?.close());

  /** The sample's config.json with `model_algorithm` misspelt and the runtime mistyped. */
  async function sloppyConfig(folder: string): Promise<void> {
    const config = JSON.parse(await fs.readFile(SAMPLE_CONFIG, 'utf8'));
    config.model_algoritm = config.model_algorithm;
    delete config.model_algorithm;
    config.runtime = 'tfjss';
    await fs.writeFile(path.join(folder, 'config.json'), JSON.stringify(config, null, 2));
  }

  it('validate says a file is valid and prints each warning: a misspelt key read as what it means, an unknown runtime', async () => {
    await sloppyConfig(dir);
    const { code, lines } = await cli(t.url, 'validate', dir);
    assert.equal(code, 0, lines.join('\n'));
    assert.match(lines[0], /config\.json is valid \(2 warnings\)$/);
    assert.ok(lines.some((l) => /^ {2}warning: model_algoritm: .*model_algorithm/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^ {2}warning: runtime: "tfjss" .*did you mean "tfjs"/.test(l)), lines.join('\n'));
  });

  it('validate lists every problem of an invalid file and exits 1', async () => {
    const bad = path.join(dir, 'bad.json');
    await fs.writeFile(bad, JSON.stringify({ model_type: 'TensorFlw', apis: [] }));
    const { code, lines } = await cli(t.url, 'validate', bad);
    assert.equal(code, 1);
    assert.match(lines[0], /bad\.json is not valid: \d+ problems?/);
    assert.ok(lines.some((l) => /^ {2}problem: model_algorithm: /.test(l)), lines.join('\n'));
  });

  it('import prints the warnings after the model line', async () => {
    const pkg = await tempDir('cli-sloppy-package');
    await fs.cp(await trainedMnistPackage(), pkg, { recursive: true });
    await sloppyConfig(path.join(pkg, 'model'));
    const url = await uploadFolder(t.store, pkg, 'obs://cli-models/sloppy/');
    const { code, lines } = await cli(t.url, 'import', '--name', 'sloppy', '--url', url);
    assert.equal(code, 0, lines.join('\n'));
    assert.match(lines[0], /^model sloppy 1\.0\.0 \(.+\): published, \d+ bytes$/);
    assert.ok(lines.some((l) => /^ {2}warning: config\.json: runtime: "tfjss"/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^ {2}warning: config\.json: model_algoritm: is read as "model_algorithm"/.test(l)), lines.join('\n'));
  });
});
