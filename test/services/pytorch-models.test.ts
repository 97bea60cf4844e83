import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { choosePython } from '../../kernel/process/python';
import { repoPath } from '../../kernel/paths';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { uploadFolder } from '../helpers/mnist-model';
import { deployService, predictFile } from '../helpers/services';
import { usePythonModules } from '../helpers/python-modules';

const BUCKET = 'pytorch-models';
const run = promisify(execFile);

/** ModelArts' config.json for a PyTorch model that takes an image upload. */
export function pytorchConfig(responseData: unknown = { type: 'object' }): Record<string, unknown> {
  return {
    model_algorithm: 'image_classification',
    model_type: 'PyTorch',
    runtime: 'pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64',
    apis: [
      {
        protocol: 'https',
        url: '/',
        method: 'post',
        request: { 'Content-type': 'multipart/form-data', data: { type: 'object', properties: { images: { type: 'file' } } } },
        response: { 'Content-type': 'application/json', data: responseData },
      },
    ],
    dependencies: [{ installer: 'pip', packages: [{ package_name: 'torch' }] }],
  };
}

/**
 * A PyTorch package as ModelArts takes it: model/ with config.json, customize_service.py on
 * PTServingBaseService, the weights torch.save wrote (a 4 → 2 linear layer) and a label.json.
 */
async function tinyPackage(python: string, edit?: (modelDir: string) => Promise<void>): Promise<string> {
  const dir = await tempDir('pytorch-pkg');
  const model = path.join(dir, 'model');
  await fs.mkdir(model);
  // Weights that send the hook's input (ones) to class 0, 'cat'.
  const save = "import sys, torch; torch.save({'linear.weight': torch.tensor([[1.0] * 4, [0.0] * 4]), 'linear.bias': torch.zeros(2)}, sys.argv[1])";
  await run(python, ['-c', save, path.join(model, 'tiny.pth')]);
  await fs.copyFile(repoPath('test', 'fixtures', 'hooks', 'python', 'pytorch_runtime_probe.py'), path.join(model, 'customize_service.py'));
  await fs.writeFile(path.join(model, 'label.json'), JSON.stringify(['cat', 'dog']));
  await fs.writeFile(path.join(model, 'config.json'), JSON.stringify(pytorchConfig(), null, 2));
  await edit?.(model);
  return dir;
}

describe('PyTorch models: PTServingBaseService and the Python runtime\'s requests and errors', function () {
  this.timeout(180_000);
  usePythonModules(this, ['torch']);
  let t: TestPlatform;
  let python: string;
  let service: any;
  let model: any;
  let n = 0;

  const importPackage = async (dir: string) => api(t.url, 'POST', '/models/import', { name: `tiny-${++n}`, version: '1.0.0', url: await uploadFolder(t.store, dir, `obs://${BUCKET}/pkg-${n}/`) });

  before(async () => {
    t = await startTestPlatform();
    python = (await choosePython(process.env.PYTHON, { modules: ['torch'] })).command;
    const imported = await importPackage(await tinyPackage(python));
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    model = imported.body;
    service = await deployService(t.url, { name: 'tiny-pytorch', model_id: model.id });
  });

  after(async () => t?.close());

  it('imports model_type PyTorch with its .pth file, and deploys it on the Python workers', () => {
    assert.equal(model.model_type, 'PyTorch');
    assert.deepEqual(model.models, [{ path: 'tiny.pth', format: 'pytorch', inputs: [], outputs: [] }]);
    assert.equal(service.status, 'running', JSON.stringify(service.events));
    assert.match(service.events.map((e: any) => e.message).join('\n'), /customize_service\.py \(class RuntimeProbe; Python 3/);
  });

  it('refuses PyTorch packages it cannot serve, saying what is missing', async () => {
    const noWeights = await importPackage(await tinyPackage(python, (m) => fs.rm(path.join(m, 'tiny.pth'))));
    assert.equal(noWeights.status, 400);
    assert.match(noWeights.body.error_msg, /holds no PyTorch model file: put the weights torch\.save wrote/);
    const notTorch = await importPackage(await tinyPackage(python, (m) => fs.writeFile(path.join(m, 'tiny.pth'), 'not weights')));
    assert.equal(notTorch.status, 400);
    assert.match(notTorch.body.error_msg, /tiny\.pth is not a file torch\.save writes/);
    const jsHook = await importPackage(
      await tinyPackage(python, async (m) => {
        await fs.rename(path.join(m, 'customize_service.py'), path.join(m, 'customize_service.js'));
      }),
    );
    assert.equal(jsHook.status, 400);
    assert.match(jsHook.body.error_msg, /a PyTorch model is served by customize_service\.py, whose class extends PTServingBaseService/);
  });

  for (const via of ['access address', 'gateway'] as const) {
    const url = () => (via === 'gateway' ? `${t.url}/v1/infers/${service.id}/` : service.access_address);

    it(`hands a form to the hook as ModelArts does, through the ${via}: files as BytesIO by field and name, fields as strings, query arguments merged`, async () => {
      const png = Buffer.from('89504e470d0a1a0a', 'hex');
      const res = await predictFile(`${url()}?source=query&note=from-query`, png, { fileName: 'a.png', fields: { note: 'hello' } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.seen, {
        images: { type: 'OrderedDict', files: { 'a.png': ['BytesIO', 8] } },
        note: { type: 'str', value: 'from-query' },
        source: { type: 'str', value: 'query' },
      });
      assert.equal(res.body.argmax_label, 'cat');
      assert.equal(res.body.model_path, 'tiny.pth', 'model_path is the .pth file');
      assert.equal(res.body.is_single_node_service, true);
      assert.equal(res.body.same_log, true, 'import log and from model_service import log are one module');
      const m = model.name;
      assert.deepEqual(res.body.metrics, [`${m}_LatencyInference`, `${m}_LatencyOverall`, `${m}_LatencyPostprocess`, `${m}_LatencyPreprocess`]);
    });

    it(`answers a request without input with 400 MR.0101, as the runtime does, through the ${via}`, async () => {
      const want = { erno: 'MR.0101', msg: 'The input parameter is invalid', words_result: {} };
      for (const init of [{}, { headers: { 'content-type': 'application/json' }, body: '{}' }, { headers: { 'content-type': 'text/plain' }, body: 'hello' }]) {
        const res = await fetch(url(), { method: 'POST', ...init });
        assert.equal(res.status, 400, JSON.stringify(init));
        assert.deepEqual(await res.json(), want, JSON.stringify(init));
      }
      const json = await fetch(`${url()}?k=v`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":[1,2]}' });
      assert.deepEqual(((await json.json()) as any).seen, { a: { type: 'list', value: [1, 2] }, k: { type: 'str', value: 'v' } });
    });

    it(`answers a hook's KeyError and TypeError with 400 and any other exception with 500, both MR.0105, through the ${via}`, async () => {
      const want = { erno: 'MR.0105', msg: 'Recognition failed', words_result: {} };
      for (const [fault, status, raised] of [['key', 400, 'KeyError'], ['type', 400, 'TypeError'], ['value', 500, 'ValueError']] as const) {
        const res = await predictFile(url(), Buffer.from('x'), { fields: { fault } });
        assert.equal(res.status, status, fault);
        assert.deepEqual(res.body, want, fault);
        assert.match(res.headers.get('x-modelarts-error') ?? '', new RegExp(`^the model's _preprocess failed: ${raised}`), 'what the hook raised, beside the body');
      }
    });
  }
});
