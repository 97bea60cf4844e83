import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoPath } from '../../kernel/paths';
import { readTestDigits } from '../../samples/mnist/dataset';
import { mnistGz } from './mnist-model';
import { tempDir } from './platform';
import type { TestVenv } from './test-venv';

const run = promisify(execFile);
const SCRIPT = repoPath('test', 'python', 'tf_models.py');

/** Runs test/python/tf_models.py in the tests' venv (TensorFlow itself). */
export async function tfModels(venv: TestVenv, args: string[]): Promise<void> {
  await run(venv.python, [SCRIPT, ...args], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', CUDA_VISIBLE_DEVICES: '' } });
}

/** The ModelArts tutorial's softmax regression trained by TensorFlow for `steps` steps and saved with SavedModelBuilder; its folder. */
export async function tutorialSavedModel(venv: TestVenv, steps = 1000): Promise<string> {
  const out = path.join(await tempDir('tf-tutorial'), 'model');
  await tfModels(venv, ['tutorial', await mnistGz(), out, String(steps)]);
  return out;
}

export interface TfInput {
  values: unknown;
  shape: number[];
  dtype: string;
}

export interface TfJob {
  dir: string;
  signature: string;
  inputs: Record<string, TfInput>;
}

/** TensorFlow's own outputs of each job's signature (one TensorFlow process for all). */
export async function tfPredictMany(venv: TestVenv, jobs: TfJob[]): Promise<Record<string, any>[]> {
  const work = await tempDir('tf-predict');
  await fs.writeFile(path.join(work, 'in.json'), JSON.stringify(jobs));
  await tfModels(venv, ['predict', path.join(work, 'in.json'), path.join(work, 'out.json')]);
  return JSON.parse(await fs.readFile(path.join(work, 'out.json'), 'utf8'));
}

/** TensorFlow's own outputs of `signature` of the SavedModel in `dir`. */
export async function tfPredict(venv: TestVenv, dir: string, signature: string, inputs: Record<string, TfInput>): Promise<Record<string, any>> {
  return (await tfPredictMany(venv, [{ dir, signature, inputs }]))[0];
}

/** The first `count` MNIST test images (784 values 0-255 each) and their labels. */
export function mnistTestSet(count: number): { images: number[][]; labels: number[] } {
  const digits = readTestDigits(Array.from({ length: count }, (_, i) => i));
  return { images: digits.map((d) => Array.from(d.pixels)), labels: digits.map((d) => d.label) };
}

/** A TF Serving gRPC Predict made as server_utils makes it (tensorflow-serving-api's stub, tf.make_tensor_proto). */
export async function grpcPredictFromPython(venv: TestVenv, address: string, model: string, signature: string, inputs: Record<string, TfInput>): Promise<Record<string, any>> {
  const work = await tempDir('tf-grpc');
  await fs.writeFile(path.join(work, 'in.json'), JSON.stringify(inputs));
  await tfModels(venv, ['grpc-predict', address, model, signature, path.join(work, 'in.json'), path.join(work, 'out.json')]);
  return JSON.parse(await fs.readFile(path.join(work, 'out.json'), 'utf8'));
}

/**
 * The DigitClassifier CNN (Keras, 25.9M parameters) trained by TensorFlow on the first
 * `images` training digits; its folder holds cnnModel.h5, cnnModel.keras and the TF
 * Serving export my_digit_classifier/1/.
 */
export async function digitClassifierModels(venv: TestVenv, images = 1024): Promise<string> {
  const out = await tempDir('digit-cnn');
  await tfModels(venv, ['digit-cnn', await mnistGz(), out, String(images)]);
  return out;
}

/** Keras' own predictions of each model file on its inputs. */
export async function kerasPredict(venv: TestVenv, jobs: { file: string; inputs: unknown; shape: number[] }[]): Promise<number[][][]> {
  const work = await tempDir('keras-predict');
  await fs.writeFile(path.join(work, 'in.json'), JSON.stringify(jobs));
  await tfModels(venv, ['keras-predict', path.join(work, 'in.json'), path.join(work, 'out.json')]);
  return JSON.parse(await fs.readFile(path.join(work, 'out.json'), 'utf8'));
}
