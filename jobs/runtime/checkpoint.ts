/**
 * Checkpoints for resumable training: a boot file saves one per epoch into its outputs
 * (`<train_url>/checkpoints/epoch-0007/`), and a later version of the job, started with
 * the previous outputs pre-downloaded, finds the newest and continues from it.
 *
 * A checkpoint is written into a temporary folder and renamed into place, so a job
 * stopped (or killed) while saving leaves the previous checkpoint, never a torn one.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LayersModel, Optimizer, Tensor } from '@tensorflow/tfjs';
import { moveIntoPlace, writeFileAtomic } from '@modelarts-local/durable';
import { compute } from '../../compute/tf';
import { ifExists } from '../../kernel/util/drop';
import { readModelArtifacts, saveModelTo } from '../../compute/model-io';

export interface Checkpoint {
  dir: string;
  epoch: number;
  /** What the boot file saved alongside the weights (metrics so far, settings …). */
  state: Record<string, unknown>;
}

interface TensorEntry {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
}

const NAME = /^epoch-(\d{4,})$/;
const INFO = 'checkpoint.json';
const OPTIMIZER_JSON = 'optimizer.json';
const OPTIMIZER_BIN = 'optimizer.bin';

function folderName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

/** Saves the model, the optimizer's slots and `state` as epoch `epoch`; keeps the newest `keep`. */
export async function saveCheckpoint(
  root: string,
  epoch: number,
  parts: { model: LayersModel; optimizer?: Optimizer; state?: Record<string, unknown> },
  keep = 2,
): Promise<string> {
  const final = path.join(root, folderName(epoch));
  const temp = path.join(root, `.${folderName(epoch)}.tmp-${process.pid}`);
  await fs.rm(temp, { recursive: true, force: true });
  await saveModelTo(parts.model, temp);
  if (parts.optimizer) await saveOptimizer(parts.optimizer, temp);
  const info = { epoch, saved_at: new Date().toISOString(), state: parts.state ?? {} };
  await writeFileAtomic(path.join(temp, INFO), JSON.stringify(info, null, 1));
  await fs.rm(final, { recursive: true, force: true });
  await moveIntoPlace(temp, final);
  await prune(root, keep);
  return final;
}

/** The newest complete checkpoint under `root`, or undefined when there is none. */
export async function latestCheckpoint(root: string): Promise<Checkpoint | undefined> {
  for (const { name, epoch } of await listCheckpoints(root)) {
    const dir = path.join(root, name);
    const info = await ifExists(fs.readFile(path.join(dir, INFO), 'utf8'));
    if (info === undefined) continue;
    const parsed = JSON.parse(info) as { state?: Record<string, unknown> };
    return { dir, epoch, state: parsed.state ?? {} };
  }
  return undefined;
}

/**
 * Puts the checkpoint's weights into `model` (built by the same code) and its slots into
 * `optimizer`. A checkpoint of another architecture is refused, naming the first mismatch.
 */
export async function restoreCheckpoint(ckpt: Checkpoint, parts: { model: LayersModel; optimizer?: Optimizer }): Promise<void> {
  const { tf } = await compute();
  const saved = await tf.loadLayersModel(tf.io.fromMemory(await readModelArtifacts(ckpt.dir)));
  try {
    const from = saved.getWeights();
    const to = parts.model.getWeights();
    const mismatch = to.findIndex((w, i) => !from[i] || w.shape.join('x') !== from[i].shape.join('x'));
    if (mismatch !== -1 || from.length !== to.length) {
      const i = mismatch === -1 ? Math.min(from.length, to.length) : mismatch;
      throw new Error(
        `the checkpoint in ${ckpt.dir} does not fit this model (weight ${i}: saved ${from[i]?.shape.join('x') ?? 'none'}, model ${to[i]?.shape.join('x') ?? 'none'}); start fresh with --rebuild=true`,
      );
    }
    parts.model.setWeights(from);
  } finally {
    saved.dispose();
  }
  if (parts.optimizer) await restoreOptimizer(parts.optimizer, ckpt.dir);
}

async function saveOptimizer(optimizer: Optimizer, dir: string): Promise<void> {
  const named = await optimizer.getWeights();
  const entries: TensorEntry[] = [];
  const chunks: Buffer[] = [];
  for (const { name, tensor } of named) {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const values = dtype === 'int32' ? Int32Array.from(await tensor.data()) : Float32Array.from(await tensor.data());
    entries.push({ name, dtype, shape: tensor.shape });
    chunks.push(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  }
  await writeFileAtomic(path.join(dir, OPTIMIZER_BIN), Buffer.concat(chunks));
  await writeFileAtomic(path.join(dir, OPTIMIZER_JSON), JSON.stringify({ class: optimizer.getClassName(), tensors: entries }));
}

async function restoreOptimizer(optimizer: Optimizer, dir: string): Promise<void> {
  const text = await ifExists(fs.readFile(path.join(dir, OPTIMIZER_JSON), 'utf8'));
  if (text === undefined) return;
  const meta = JSON.parse(text) as { class: string; tensors: TensorEntry[] };
  if (meta.class !== optimizer.getClassName()) {
    throw new Error(`the checkpoint in ${dir} holds the state of a ${meta.class} optimizer, not ${optimizer.getClassName()}; start fresh with --rebuild=true`);
  }
  const { tf } = await compute();
  const bytes = await fs.readFile(path.join(dir, OPTIMIZER_BIN));
  const named: { name: string; tensor: Tensor }[] = [];
  let offset = 0;
  for (const e of meta.tensors) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    const slice = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size * 4);
    const values = e.dtype === 'int32' ? new Int32Array(slice) : new Float32Array(slice);
    named.push({ name: e.name, tensor: tf.tensor(values, e.shape, e.dtype) });
    offset += size * 4;
  }
  await optimizer.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
}

async function listCheckpoints(root: string): Promise<{ name: string; epoch: number }[]> {
  const names = (await ifExists(fs.readdir(root))) ?? [];
  return names
    .map((name) => ({ name, epoch: Number(NAME.exec(name)?.[1] ?? NaN) }))
    .filter((c) => Number.isInteger(c.epoch))
    .sort((a, b) => b.epoch - a.epoch);
}

async function prune(root: string, keep: number): Promise<void> {
  const all = await listCheckpoints(root);
  for (const old of all.slice(Math.max(1, keep))) await fs.rm(path.join(root, old.name), { recursive: true, force: true });
}
