import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { checkModelConfig, checkModelConfigText } from '../../models/config-validator';
import { repoPath } from '../../kernel/paths';

/**
 * Real config.json files from public ModelArts projects and from the documentation
 * (see the corpus's SOURCES.md, and VERDICTS.md for why each verdict is right). Each
 * row pins the exact paths of problems and warnings, so any change in behaviour on a
 * real file shows up here.
 */
const CORPUS = repoPath('test', 'fixtures', 'modelarts-configs');

interface Verdict {
  problems?: string[];
  warnings?: string[];
}

const PROCOTOL = 'apis[0].procotol';
const TYPO_JSON = 'apis[0].response.Content-type';
const LIST_TYPES = ['detection_classes.type', 'detection_scores.type', 'detection_boxes.type', 'detection_boxes.items[0].type'].map(
  (p) => `apis[0].response.data.properties.${p}`,
);

const PARSEABLE: Record<string, Verdict> = {
  '01-ModelArts-Lab-dog_cat_detection': { warnings: [PROCOTOL] },
  '02-ModelArts-Lab-garbage_ilovescrapy': { warnings: [PROCOTOL] },
  '03-ModelArts-Lab-image_recognition': { warnings: [PROCOTOL] },
  '04-ModelArts-Lab-DL_face_recognition': { warnings: [PROCOTOL] },
  '05-ModelArts-Lab-Caffe_MNIST': {},
  '06-ModelArts-Lab-MXNet_MNIST': { warnings: [PROCOTOL] },
  '07-ModelArts-Lab-MXNet_Caltech101': {},
  '08-ModelArts-Lab-Rllib_Pong_learner': { problems: ['model_type', 'apis[0].request.Content-type', 'apis[0].response.Content-type'] },
  '09-doc-otc2022-object_detection': {},
  '10-doc-otc2022-image_classification': {},
  '11-doc-otc2022-predict_analysis': {},
  '12-doc-otc2022-custom_image': { warnings: ['swr_location'] },
  '13-doc-otc2022-xgboost_ml': { warnings: [TYPO_JSON] },
  '14-doc-otc2022-custom_dependency': { warnings: [PROCOTOL, TYPO_JSON, 'apis[0].response.data.properties.mnist_result.item'] },
  '15-doc-otc2025-object_detection': {},
  '16-doc-otc2025-image_classification': {},
  '17-doc-otc2025-predict_analysis': {},
  '18-doc-otc2025-custom_image': { warnings: ['swr_location'] },
  '19-doc-otc2025-xgboost_ml': { warnings: [TYPO_JSON] },
  '20-doc-otc2025-custom_dependency': { warnings: [PROCOTOL, TYPO_JSON, 'apis[0].response.data.properties.mnist_result.item'] },
  '21-doc-otc-quickstart_tf_mnist': { warnings: [PROCOTOL] },
  '22-doc-hwcn2019-object_detection': {},
  '23-doc-hwcn2019-image_classification': {},
  '25-doc-hwcn-custom_image_multi_api': { warnings: ['swr_location'] },
  '27-modelarts-example-MXNet_MNIST': { warnings: [PROCOTOL, 'apis[0].response.data.properties.detection_classes.item'] },
  '28-Mindspore_Unet': { warnings: [PROCOTOL, TYPO_JSON] },
  '29-BERT-NER-EVE': {},
  '30-PyTorch-YOLOv3-ModelArts': { warnings: LIST_TYPES },
  '31-AI-Competition-HuaWei': {},
  '32-tf-keras-yolov3': { warnings: LIST_TYPES },
  '33-WirelessChannelAI': {},
  '34-deeplabv3plus': {},
  '35-T5_For_huaweiDA_Competition': { warnings: ['apis[0].request.response'] },
  '36-text-classification': { warnings: ['request'] },
  '37-JonathanSilver-modelarts': {},
  '38-ModelArts-Lab-MoXing_MNIST': { warnings: [PROCOTOL] },
  '39-Radio-Map-Construction': {
    problems: ['apis[0].response.Content-type', 'apis[0].request.Content-type'],
    warnings: [PROCOTOL, 'apis[0].response.required'],
  },
  '40-Challenge_Cup-video': { warnings: ['apis[0].response.data.properties.result.type', PROCOTOL, TYPO_JSON] },
  '41-ModelArts-Lab-SparkMLlib_iris_embedded': {},
  '42-ModelArts-Lab-SparkML_wine_embedded': {},
  '43-aha_886-traffic_flow': { warnings: [PROCOTOL, 'apis[0].request.Content-type', TYPO_JSON] },
};

/** Where each file's first comment stands. */
const UNPARSEABLE: Record<string, { line: number; column: number }> = {
  '24-doc-hwcn2019-custom_dependency_commented': { line: 2, column: 6 },
  '26-ModelArts_Yolov4': { line: 65, column: 5 },
  '44-TrashDetection-HuaweiCloud': { line: 52, column: 22 },
};

function files(dir: string): string[] {
  return fs
    .readdirSync(path.join(CORPUS, dir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

function read(dir: string, name: string): string {
  return fs.readFileSync(path.join(CORPUS, dir, `${name}.json`), 'utf8');
}

describe('config.json corpus of real ModelArts packages', () => {
  it('has a verdict for every file and a file for every verdict (41 parseable, 3 not)', () => {
    assert.deepEqual(files('real'), Object.keys(PARSEABLE).sort());
    assert.deepEqual(files('unparseable'), Object.keys(UNPARSEABLE).sort());
    const sources = fs.readFileSync(path.join(CORPUS, 'SOURCES.md'), 'utf8');
    for (const name of [...files('real'), ...files('unparseable')]) assert.ok(sources.includes(`${name}.json`), `${name} is in SOURCES.md`);
    const verdicts = fs.readFileSync(path.join(CORPUS, 'VERDICTS.md'), 'utf8');
    for (const name of [...files('real'), ...files('unparseable')]) assert.ok(verdicts.includes(name), `${name} is in VERDICTS.md`);
  });

  for (const [name, expected] of Object.entries(PARSEABLE)) {
    const verdict = expected.problems ? 'refuses' : expected.warnings ? 'accepts with warnings' : 'accepts';
    it(`${verdict} ${name}`, () => {
      const check = checkModelConfigText(read('real', name));
      assert.deepEqual(
        { problems: check.problems.map((p) => p.path), warnings: check.warnings.map((p) => p.path) },
        { problems: expected.problems ?? [], warnings: expected.warnings ?? [] },
      );
      assert.equal(check.valid, !expected.problems);
      assert.equal(check.config !== undefined, check.valid);
      for (const p of [...check.problems, ...check.warnings]) assert.ok(p.message.length > 10, `${p.path} says something`);
    });
  }

  it('passes every example of the current documentation and of the quick start', () => {
    const current = files('real').filter((f) => /doc-otc2025|quickstart/.test(f));
    assert.equal(current.length, 7);
    for (const name of current) assert.equal(checkModelConfigText(read('real', name)).valid, true, name);
  });

  it('normalises every accepted file to a config that is accepted again without a warning about spelling', () => {
    for (const name of files('real')) {
      const first = checkModelConfigText(read('real', name));
      if (!first.config) continue;
      const again = checkModelConfig(JSON.parse(JSON.stringify(first.config)));
      assert.equal(again.valid, true, name);
      // What remains is about the model itself (an Image model without swr_location), not the writing.
      assert.deepEqual(
        again.warnings.map((w) => w.path),
        first.config.model_type === 'Image' && !first.config.swr_location ? ['swr_location'] : [],
        name,
      );
      assert.deepEqual(again.config, first.config, name);
    }
  });

  for (const [name, at] of Object.entries(UNPARSEABLE)) {
    it(`refuses ${name} with one problem at the line and column of its comment`, () => {
      const check = checkModelConfigText(read('unparseable', name));
      assert.equal(check.valid, false);
      assert.deepEqual(check.problems, [
        { path: '(root)', message: `line ${at.line}, column ${at.column}: comments are not allowed in JSON; delete this comment` },
      ]);
    });
  }
});

describe('config.json reading of damaged files', () => {
  // A fixed seed: the same damaged copies on every run, so a failure can be replayed.
  let seed = 20240611;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const texts = files('real').map((name) => read('real', name));

  it('never throws on copies of the corpus with characters deleted, added or replaced, and agrees with JSON.parse on which are JSON', () => {
    const alphabet = '{}[],:"\'/ \n\t0123456789-.eEtfnul\\ab';
    for (let i = 0; i < 1500; i++) {
      let text = texts[random(texts.length)];
      for (let edits = 1 + random(3); edits > 0; edits--) {
        const at = random(text.length + 1);
        const c = alphabet[random(alphabet.length)];
        const kind = random(3);
        text = text.slice(0, at) + (kind === 0 ? '' : c) + text.slice(kind === 1 ? at : at + 1);
      }
      let isJson = true;
      try {
        JSON.parse(text);
      } catch {
        isJson = false;
      }
      const check = checkModelConfigText(text);
      const syntax = check.problems.some((p) => /^line \d+, column \d+: /.test(p.message));
      assert.equal(syntax, !isJson, text);
    }
  });

  it('never throws on parsed corpus files with values swapped for values of other shapes', () => {
    const values = texts.map((t) => JSON.parse(t) as unknown);
    const junk: unknown[] = [null, 0, -1, 1.5, '', 'file', '/', true, [], {}, [1], { type: 'file' }, { type: 'list' }, { $id: 'x' }];
    const mutate = (v: unknown): unknown => {
      if (v && typeof v === 'object' && random(4) > 0) {
        const copy: Record<string, unknown> | unknown[] = Array.isArray(v) ? [...v] : { ...(v as Record<string, unknown>) };
        const keys = Object.keys(copy);
        if (keys.length === 0) return junk[random(junk.length)];
        const key = keys[random(keys.length)];
        (copy as Record<string, unknown>)[key] = mutate((copy as Record<string, unknown>)[key]);
        return copy;
      }
      return junk[random(junk.length)];
    };
    for (let i = 0; i < 1500; i++) {
      const check = checkModelConfig(mutate(values[random(values.length)]));
      assert.equal(check.valid, check.problems.length === 0);
    }
  });
});
