/**
 * A tiny graph model written by hand as tensorflowjs_converter would write a
 * SavedModel: Placeholder → MatMul (const weights, two shards) → Softmax, with a
 * signature that names the input `features` and the output `probabilities`.
 */
import fs from 'node:fs';
import path from 'node:path';

const dims = (...sizes: number[]) => ({ dim: sizes.map((s) => ({ size: String(s) })) });
const float = { type: 'DT_FLOAT' };

export function writeGraphModel(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const modelTopology = {
    node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims(-1, 3) } } },
      { name: 'w', op: 'Const', attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(3, 2) } } } },
      { name: 'logits', op: 'MatMul', input: ['x', 'w'], attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } } },
      { name: 'Identity', op: 'Softmax', input: ['logits'], attr: { T: float } },
    ],
    library: {},
    versions: { producer: 1286 },
  };
  const signature = {
    inputs: { features: { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: dims(-1, 3) } },
    outputs: { probabilities: { name: 'Identity:0', dtype: 'DT_FLOAT', tensorShape: dims(-1, 2) } },
  };
  const weights = Buffer.from(new Float32Array([1, 0, 0, 0, 0, 2]).buffer);
  fs.writeFileSync(path.join(dir, 'group1-shard1of2.bin'), weights.subarray(0, 16));
  fs.writeFileSync(path.join(dir, 'group1-shard2of2.bin'), weights.subarray(16));
  const modelJson = {
    format: 'graph-model',
    generatedBy: '2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    signature,
    modelTopology,
    weightsManifest: [
      { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: [{ name: 'w', shape: [3, 2], dtype: 'float32' }] },
    ],
  };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
}
