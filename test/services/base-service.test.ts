import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiError } from '../../kernel/errors';
import { compute } from '../../compute/tf';
import {
  BaseService,
  HookStageError,
  TfServingBaseService,
  tf as sharedTf,
} from '../../services/model_service/tfserving_model_service';
import { findModelJsons } from '../../services/model_service/tf-serving-base-service';
import { initRuntime } from '../../services/model_service/runtime';
import { firstTestDigits } from '../helpers/mnist-model';
import { argmax, saveCentroidModel, toVector } from './helpers/models';
import { setTimeout as sleep } from 'node:timers/promises';


describe('BaseService', () => {
  it('passes data through unchanged when no stage is overridden', async () => {
    const { result, timings } = await new BaseService('echo', '/nowhere').handle({ a: 1 });
    assert.deepEqual(result, { a: 1 });
    assert.deepEqual(Object.keys(timings), ['preprocess', 'inference', 'postprocess']);
  });

  it('runs sync and async stages in order and times each one', async () => {
    const order: string[] = [];
    class Mixed extends BaseService {
      override _preprocess(data: unknown) {
        order.push('pre');
        return (data as number) + 1;
      }
      override async _inference(data: unknown) {
        order.push('inf');
        await sleep(25);
        return (data as number) * 10;
      }
      override _postprocess(data: unknown) {
        order.push('post');
        return { value: data };
      }
    }
    const { result, timings } = await new Mixed('m', '/nowhere').handle(1);
    assert.deepEqual(result, { value: 20 });
    assert.deepEqual(order, ['pre', 'inf', 'post']);
    assert.ok(timings.inference >= 20, `inference took ${timings.inference} ms`);
    assert.ok(timings.preprocess < 20 && timings.postprocess < 20);
    // High resolution: sync stages measure in fractions of a millisecond, not 0 or 1.
    assert.ok(timings.preprocess > 0 && !Number.isInteger(timings.preprocess));
  });

  it('lets a stage\'s ApiError through and reports other errors as the hook\'s, naming the stage', async () => {
    class Picky extends BaseService {
      override _preprocess(data: unknown) {
        if (data === 'bad') throw new ApiError('predict_bad_input', 'no such digit');
        return data;
      }
      override async _postprocess(): Promise<unknown> {
        throw new TypeError('labels is undefined');
      }
    }
    const service = new Picky('p', '/nowhere');
    await assert.rejects(service.handle('bad'), (err: ApiError) => err.kind === 'predict_bad_input');
    await assert.rejects(service.handle('ok'), (err: unknown) => {
      assert.ok(err instanceof HookStageError);
      assert.equal(err.kind, 'predict_hook_failed');
      assert.equal(err.stage, 'postprocess');
      assert.equal(err.message, "the model's _postprocess failed: TypeError: labels is undefined");
      assert.ok(err.cause instanceof TypeError);
      return true;
    });
  });

  it('keeps the model name and path the serving process gave it', () => {
    const service = new BaseService('mnist', '/models/mnist');
    assert.equal(service.model_name, 'mnist');
    assert.equal(service.model_path, '/models/mnist');
  });
});

describe('TfServingBaseService', () => {
  let root: string;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfserving-'));
    await saveCentroidModel(path.join(root, 'model'));
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('loads the model in its folder and runs it on a real digit by input name', async () => {
    const service = new TfServingBaseService('mnist', path.join(root, 'model'));
    await service.load();
    assert.deepEqual(service.inputs.map((i) => i.name), ['images']);
    const digit = firstTestDigits(1)[0];
    const { result } = await service.handle({ images: [toVector(digit)] });
    const scores = (result as { scores: number[][] }).scores[0];
    assert.equal(scores.length, 10);
    assert.ok(Math.abs(scores.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    assert.equal(argmax(scores), digit.label);
    service.dispose();
  });

  it('refuses a request without the model\'s input, naming the inputs and their shapes', async () => {
    const service = new TfServingBaseService('mnist', path.join(root, 'model'));
    await service.load();
    await assert.rejects(service.handle({ image: [[0]] }), (err: ApiError) => {
      assert.equal(err.kind, 'predict_bad_input');
      assert.match(err.message, /no input "images"; the model expects images \(float32, shape \[null, 784\]\)/);
      return true;
    });
    service.dispose();
  });

  it('answers predict_unavailable when asked before load()', async () => {
    const service = new TfServingBaseService('mnist', path.join(root, 'model'));
    await assert.rejects(service.handle({ images: [[0]] }), (err: ApiError) => err.kind === 'predict_unavailable');
  });

  it('shares the process\' tfjs with inference code once the runtime is up', async () => {
    await initRuntime();
    assert.equal(sharedTf, (await compute()).tf);
  });

  it('finds model.json one folder down, and each model of a folder with several', () => {
    assert.deepEqual(findModelJsons(root), [{ name: 'model', file: path.join(root, 'model', 'model.json') }]);
    fs.cpSync(path.join(root, 'model'), path.join(root, 'other'), { recursive: true });
    assert.deepEqual(findModelJsons(root).map((f) => f.name), ['model', 'other']);
    assert.throws(() => findModelJsons(path.join(root, 'nothing')), /cannot be read/);
  });

  it('loads every model of a folder with several, and refuses them to a hook that does not say how they combine', async () => {
    await assert.rejects(new TfServingBaseService('two', root).load(), /holds 2 models \(model, other\); its inference code must override _inference/);
    class Both extends TfServingBaseService {
      override async _inference(data: unknown): Promise<unknown> {
        const inputs = data as Record<string, number[][]>;
        return { model: await this.models.model.predict(inputs), other: await this.models.other.predict(inputs) };
      }
    }
    const chain = new Both('two', root);
    await chain.load();
    assert.deepEqual(Object.keys(chain.models), ['model', 'other']);
    const [digit] = firstTestDigits(1);
    const { result } = await chain.handle({ images: [toVector(digit)] });
    const both = result as Record<string, { scores: number[][] }>;
    assert.equal(argmax(both.model.scores[0]), digit.label);
    assert.deepEqual(both.other.scores, both.model.scores);
    chain.dispose();
  });
});
