/**
 * The bare minimum that answers what the MNIST service answers, for the benchmark's
 * ratios: Node's http, busboy for the multipart body, a PNG decoder, the same model,
 * the same JSON. No hook, no checks, no stats. The bench runs one per backend and
 * decoder and keeps the fastest. Run as a child process: env MA_BASELINE_MODEL is the
 * model folder, MA_BASELINE_BACKEND the compute backend, MA_BASELINE_DECODER `pngjs`
 * (any PNG, through RGBA) or `direct` (8-bit gray straight to bytes); it reports its
 * port when ready.
 */
import http from 'node:http';
import busboy from 'busboy';
import { PNG } from 'pngjs';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { compute, type BackendName } from '../compute/tf';
import { decodeGrayPng } from '../kernel/image/png-gray';
import { loadModelFrom } from '../compute/model-io';
import { exitWithParent, sendFatal, sendReady } from '../kernel/process/child-side';
import type { BaselineReady, Decoder } from './baseline-options';

const SIDE = 28;
const TOP_K = 5;


/** White-on-black gray pixels / 255, as the sample's hook reads them (alpha on black, ITU-R 601 luma). */
function pixelsViaRgba(png: Buffer): Float32Array {
  const { data, width, height } = PNG.sync.read(png);
  if (width !== SIDE || height !== SIDE) throw new Error(`a ${width}x${height} image`);
  const out = new Float32Array(SIDE * SIDE);
  for (let i = 0; i < out.length; i++) {
    const k = data[i * 4 + 3] / 255;
    const [r, g, b] = [data[i * 4], data[i * 4 + 1], data[i * 4 + 2]].map((v) => (k === 1 ? v : Math.round(v * k)));
    out[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b) / 255;
  }
  return out;
}

function pixelsDirect(png: Buffer): Float32Array {
  const gray = decodeGrayPng(png);
  if (!gray || gray.length !== SIDE * SIDE) throw new Error('not a 28x28 8-bit gray PNG');
  const out = new Float32Array(gray.length);
  for (let i = 0; i < out.length; i++) out[i] = gray[i] / 255;
  return out;
}

function ranked(scores: Float32Array): { predicted_label: string; scores: [string, number][] } {
  const top = Array.from(scores, (s, i): [string, number] => [String(i), s])
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_K);
  return { predicted_label: top[0][0], scores: top };
}

function readFile(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parser = busboy({ headers: req.headers });
    let file: Buffer | undefined;
    parser.on('file', (_field, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => (file = Buffer.concat(chunks)));
    });
    parser.on('close', () => (file ? resolve(file) : reject(new Error('no file'))));
    parser.on('error', reject);
    req.pipe(parser);
  });
}

async function main(): Promise<void> {
  exitWithParent();
  const { tf, backend } = await compute((process.env.MA_BASELINE_BACKEND || undefined) as BackendName | undefined);
  const decoder = (process.env.MA_BASELINE_DECODER ?? 'pngjs') as Decoder;
  const pixels = decoder === 'direct' ? pixelsDirect : pixelsViaRgba;
  const model = (await loadModelFrom(process.env.MA_BASELINE_MODEL ?? '', tf)).model as LayersModel;
  const server = http.createServer((req, res) => {
    readFile(req)
      .then((png) => {
        const x = pixels(png);
        const output = tf.tidy(() => model.predict(tf.tensor2d(x, [1, SIDE * SIDE])) as Tensor);
        const scores = output.dataSync() as Float32Array;
        output.dispose();
        const body = JSON.stringify(ranked(scores));
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      })
      .catch((err: Error) => {
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        res.end(err.message);
      });
  });
  server.listen(0, '127.0.0.1', () => sendReady<BaselineReady>({ port: (server.address() as { port: number }).port, backend, decoder }));
}

main().catch(sendFatal);
