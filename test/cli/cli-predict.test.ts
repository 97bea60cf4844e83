import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { testDigits } from '../helpers/mnist-model';
import { deployService, importMnist } from '../helpers/services';
import { CLASS_LINE, cli, FINAL_LINE } from '../helpers/cli';

describe('the command line client classifies images as the TF Serving example client does', function () {
  this.timeout(120_000);
  let t: TestPlatform;
  let service: any;
  let dir: string;
  const digits = testDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

  before(async () => {
    t = await startTestPlatform();
    const model = await importMnist(t, 'cli', 'mnist');
    service = await deployService(t.url, { name: 'mnist-cli', model_id: model.id });
    assert.equal(service.status, 'running', service.reason);
    dir = await tempDir('cli-digits');
    for (const d of digits) await fs.writeFile(path.join(dir, `img_${d.index}.png`), d.png);
  });

  after(async () => t?.close());

  it('classifies one image of a service named by its name, ending with the most probable class', async () => {
    const { code, lines } = await cli(t.url, 'predict', '--service', 'mnist-cli', '-i', path.join(dir, 'img_0.png'));
    assert.equal(code, 0, lines.join('\n'));
    assert.equal(lines.length, 1);
    const [, file, label, p] = FINAL_LINE.exec(lines[0]) ?? [];
    assert.equal(file, 'img_0.png', lines[0]);
    assert.equal(Number(label), digits[0].label);
    assert.ok(Number(p) > 0.5, lines[0]);
  });

  it('prints every class probability with -p when it goes to the model over TF Serving REST', async () => {
    const { code, lines } = await cli(t.url, 'predict', '--url', `${t.url}/v1/models/mnist-cli`, '-i', path.join(dir, 'img_1.png'), '-p');
    assert.equal(code, 0, lines.join('\n'));
    assert.equal(lines.length, 11, lines.join('\n'));
    lines.slice(0, 10).forEach((line, i) => assert.equal(CLASS_LINE.exec(line)?.[1], String(i), line));
    const sum = lines.slice(0, 10).reduce((n, line) => n + Number(line.split(': ')[1]), 0);
    assert.ok(Math.abs(sum - 1) < 0.01, `probabilities sum to ${sum}`);
    assert.equal(FINAL_LINE.exec(lines[10])?.[2], String(digits[1].label), lines[10]);
  });

  it('classifies a whole directory in natural order, through /v1/infers/<id>/ and the service id, with and without -p', async () => {
    const plain = await cli(t.url, 'predict', '--url', `${t.url}/v1/infers/${service.id}/`, '-d', dir);
    assert.equal(plain.code, 0, plain.lines.join('\n'));
    assert.deepEqual(plain.lines.map((l) => FINAL_LINE.exec(l)?.[1]), digits.map((d) => `img_${d.index}.png`));
    const right = plain.lines.filter((l, i) => FINAL_LINE.exec(l)?.[2] === String(digits[i].label)).length;
    assert.ok(right >= 9, `${right} of 12 right`);
    const all = await cli(t.url, 'predict', service.id, '-d', dir, '-p');
    assert.equal(all.code, 0, all.lines.join('\n'));
    const finals = all.lines.filter((l) => FINAL_LINE.test(l));
    assert.equal(finals.length, 12);
    // The MNIST hook answers its top five classes; -p prints each of them, in class order.
    const first = all.lines.slice(0, all.lines.indexOf(finals[0]));
    assert.equal(first.length, 5, first.join('\n'));
    assert.ok(first.every((l) => CLASS_LINE.test(l)), first.join('\n'));
  });

  it('says what is wrong, with a non-zero exit, for a missing service, a file that is no image and bad usage', async () => {
    const missing = await cli(t.url, 'predict', '--service', 'nope', '-i', path.join(dir, 'img_0.png'));
    assert.equal(missing.code, 1);
    assert.match(missing.lines.join('\n'), /no service has the id or name "nope"/);
    const notPicture = path.join(dir, 'notes.bmp');
    await fs.writeFile(notPicture, Buffer.from('not an image'));
    const notImage = await cli(t.url, 'predict', '--url', `${t.url}/v1/models/mnist-cli`, '-i', notPicture);
    assert.equal(notImage.code, 1);
    const usage = await cli(t.url, 'predict', '--service', 'mnist-cli');
    assert.equal(usage.code, 2);
    assert.match(usage.lines[0], /-i <image> or a directory with -d <dir>/);
  });
});
