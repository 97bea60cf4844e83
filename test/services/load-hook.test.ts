import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoPath } from '../../kernel/paths';
import { compute } from '../../compute/tf';
import { HookError, loadHook, type LoadedHook } from '../../services/model_service/load-hook';
import { BaseService, TfServingBaseService } from '../../services/model_service/tfserving_model_service';
import { loadModelFrom } from '../../compute/model-io';
import { firstTestDigits } from '../helpers/mnist-model';
import type { Digit } from '../../samples/mnist/dataset';
import { grayPng, grayJpeg, encodeBmp } from './helpers/images';
import { argmax, saveCentroidModel, toVector } from './helpers/models';

const FIXTURES = repoPath('test', 'fixtures', 'hooks');

type Prediction = { predicted_label: string; scores: [string, number][] };

describe('loadHook', () => {
  let root: string;
  let modelFiles: string;
  let counter = 0;
  /** Test-set digits the model itself classifies right and surely, so a hook must too. */
  let clearDigits: Digit[];

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hooks-'));
    modelFiles = path.join(root, 'saved-model');
    await saveCentroidModel(modelFiles);
    const model = await loadModelFrom(modelFiles, (await compute()).tf);
    const candidates = firstTestDigits(40);
    const { scores } = (await model.predict({ images: candidates.map(toVector) })) as { scores: number[][] };
    clearDigits = candidates.filter((d, i) => argmax(scores[i]) === d.label && scores[i][d.label] > 0.99).slice(0, 6);
    assert.equal(clearDigits.length, 6);
    model.dispose();
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A fresh model folder: the saved model plus `fixture` as customize_service<ext>. */
  function modelFolder(fixture: string, ext = path.extname(fixture)): string {
    const dir = path.join(root, `model-${++counter}`);
    fs.cpSync(modelFiles, dir, { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, fixture), path.join(dir, `customize_service${ext}`));
    return dir;
  }

  async function refusal(dir: string): Promise<HookError> {
    try {
      await loadHook(dir);
    } catch (err) {
      assert.ok(err instanceof HookError, `expected a HookError, got ${String(err)}`);
      return err;
    }
    assert.fail('expected the hook to be refused');
  }

  async function predictDigits(hook: LoadedHook, dir: string): Promise<void> {
    const service = new hook.HookClass('mnist', dir);
    assert.ok(service instanceof TfServingBaseService);
    await service.load();
    const encoders = [grayPng, grayJpeg, bmp];
    for (const [i, digit] of clearDigits.entries()) {
      const encode = encoders[i % encoders.length];
      const { result, timings } = await service.handle({ images: { [`digit-${i}`]: encode(digit.pixels, 28, 28) } });
      const prediction = result as Prediction;
      assert.equal(prediction.predicted_label, String(digit.label));
      assert.equal(prediction.scores.length, 5);
      assert.equal(prediction.scores[0][0], String(digit.label));
      assert.ok(timings.preprocess > 0 && timings.inference > 0 && timings.postprocess > 0);
    }
    assert.equal((service as unknown as { runtimeTf(): unknown }).runtimeTf(), (await compute()).tf);
    service.dispose();
  }

  function bmp(pixels: Uint8Array, width: number, height: number): Buffer {
    const grays = Array.from({ length: 256 }, (_, v): [number, number, number] => [v, v, v]);
    return encodeBmp({ width, height, bits: 8, palette: grays, pixel: (x, y) => pixels[y * width + x] });
  }

  it('runs a CommonJS customize_service.js that extends TfServingBaseService on real digits', async () => {
    const dir = modelFolder('mnist-hook.js');
    const hook = await loadHook(dir);
    assert.equal(hook.file, path.join(dir, 'customize_service.js'));
    assert.equal(hook.HookClass.name, 'MnistService');
    await predictDigits(hook, dir);
  });

  it('runs an ES module customize_service.mjs that imports by name', async () => {
    const dir = modelFolder('mnist-hook.mjs');
    await predictDigits(await loadHook(dir), dir);
  });

  it('runs a customize_service.ts, transpiled at load', async () => {
    const dir = modelFolder('mnist-hook.ts');
    const hook = await loadHook(dir);
    assert.equal(hook.file, path.join(dir, 'customize_service.ts'));
    await predictDigits(hook, dir);
  });

  it('runs an ES module customize_service.js in a "type": "module" folder', async () => {
    const dir = modelFolder('mnist-hook.mjs', '.js');
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    await predictDigits(await loadHook(dir), dir);
  });

  it('runs an ES module .js hook that awaits at top level', async () => {
    const dir = modelFolder('awaits-at-load.mjs', '.js');
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    const { HookClass } = await loadHook(dir);
    assert.equal((await new HookClass('labels', dir).handle(1)).result, 'one');
  });

  it('runs a BaseService hook that has no model, with sync and async stages', async () => {
    const dir = modelFolder('base-service-stages.js');
    const { HookClass } = await loadHook(dir);
    const service = new HookClass('doubler', dir);
    assert.ok(service instanceof BaseService && !(service instanceof TfServingBaseService));
    await service.load();
    const { result, timings } = await service.handle({ values: [1, 2.5] });
    assert.deepEqual(result, { doubled: [2, 5], served_by: 'doubler' });
    assert.ok(timings.inference >= 10, `inference took ${timings.inference} ms`);
  });

  it('resolves model_service from the model folder with nothing installed by the author', async () => {
    const dir = modelFolder('mnist-hook.js');
    await loadHook(dir);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'model_service', 'package.json'), 'utf8'));
    assert.deepEqual(Object.keys(pkg.exports), ['.', './tfserving_model_service', './tfserving_model_service.js', './package.json']);
    /* eslint-disable @typescript-eslint/no-require-imports -- resolved from the model folder, as a hook resolves it */
    const fromFolder = require(require.resolve('model_service/tfserving_model_service', { paths: [dir] }));
    assert.equal(fromFolder.TfServingBaseService, TfServingBaseService);
    assert.equal(require(require.resolve('model_service', { paths: [dir] })).BaseService, BaseService);
    /* eslint-enable @typescript-eslint/no-require-imports -- back to the rule */
  });

  it('picks up an edited hook when loaded again in the same process', async () => {
    const dir = modelFolder('mnist-hook.js');
    const first = await loadHook(dir);
    const file = path.join(dir, 'customize_service.js');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/MnistService/g, 'DigitService'));
    const second = await loadHook(dir);
    assert.equal(first.HookClass.name, 'MnistService');
    assert.equal(second.HookClass.name, 'DigitService');
  });

  describe('refuses unusable inference code, saying why', () => {
    it('a file exporting two classes', async () => {
      const err = await refusal(modelFolder('two-classes.js'));
      assert.equal(err.kind, 'invalid_package');
      assert.match(err.message, /^customize_service\.js exports 2 classes \(FirstService, SecondService\); it must export exactly one class/);
    });

    it('a file exporting no class', async () => {
      const err = await refusal(modelFolder('not-a-class.js'));
      assert.match(err.message, /^customize_service\.js exports no class \(found: function handler, object config\)/);
    });

    it('a class that does not extend BaseService', async () => {
      const err = await refusal(modelFolder('no-base-class.js'));
      assert.match(err.message, /^customize_service\.js exports class PlainService, which does not extend BaseService/);
    });

    it('a syntax error, with the hook\'s own message and line', async () => {
      const err = await refusal(modelFolder('syntax-error.js'));
      assert.match(err.message, /^customize_service\.js failed to load: SyntaxError: Unexpected token ';' \(customize_service\.js:5\)$/);
    });

    it('a hook that throws while loading, with its error and line', async () => {
      const err = await refusal(modelFolder('throws-at-load.js'));
      assert.equal(err.message, 'customize_service.js failed to load: Error: the labels file is missing (customize_service.js:5)');
    });

    it('a syntax error in an ES module, with the line Node does not give', async () => {
      const err = await refusal(modelFolder('syntax-error.mjs'));
      assert.equal(err.message, "customize_service.mjs failed to load: SyntaxError: Unexpected token ';' (customize_service.mjs:5)");
    });

    it('an ES module .js hook in a "type": "module" folder that does not parse', async () => {
      const dir = modelFolder('syntax-error.mjs', '.js');
      fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
      const err = await refusal(dir);
      assert.match(err.message, /^customize_service\.js failed to load: SyntaxError: Unexpected token ';' \(customize_service\.js:5\)$/);
    });

    it('an ES module .js hook whose top-level await fails', async () => {
      const dir = modelFolder('throws-after-await.mjs', '.js');
      fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
      const err = await refusal(dir);
      assert.equal(err.message, 'customize_service.js failed to load: Error: the labels could not be read (customize_service.js:5)');
    });

    it('a TypeScript hook that throws while loading, with the line in the .ts source', async () => {
      const err = await refusal(modelFolder('throws-at-load.ts'));
      assert.equal(err.message, 'customize_service.ts failed to load: Error: the labels file is missing (customize_service.ts:5)');
    });

    it('a TypeScript hook that does not compile', async () => {
      const err = await refusal(modelFolder('syntax-error.ts'));
      assert.match(err.message, /^customize_service\.ts failed to compile: line 5:\d+: Expression expected/);
    });

    it('a folder without inference code', async () => {
      const dir = path.join(root, 'no-hook');
      fs.mkdirSync(dir);
      const err = await refusal(dir);
      assert.match(err.message, /has no inference code \(customize_service\.js, customize_service\.mjs, customize_service\.ts\)/);
    });
  });
});
