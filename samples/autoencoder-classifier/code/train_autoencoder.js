// The autoencoder of the autoencoder + classifier sample: 784-152-76-38-4-38-76-152-784, tanh
// everywhere, trained to reproduce its input (pixel/255) on the MSE with Adadelta at learning
// rate 1.0, batches of 50. Each epoch it reports the training loss and the reconstruction
// MSE on the 10,000 test images, and saves a checkpoint; a later version of the job resumes
// from the newest one (see trainer.js). Outputs: autoencoder/ (the model: input "images",
// output "reconstruction"), reconstructions.png (test digits on top, their reconstructions
// below) and checkpoints/.
const path = require('path');
const ma = require('modelarts');
const { fit, tanhStack, predictAll, settings } = require('./trainer');

const LAYERS = [152, 76, 38, 4, 38, 76, 152, 784];
const GRID_DIGITS = 10;
const SIDE = 28;

function mse(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum / a.length;
}

/** Originals in the top row, reconstructions in the bottom row, one digit per column. */
async function saveGrid(file, originals, reconstructions, count) {
  const width = count * SIDE;
  const pixels = new Float32Array(width * 2 * SIDE);
  [originals, reconstructions].forEach((images, row) => {
    for (let d = 0; d < count; d++) {
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) pixels[(row * SIDE + y) * width + d * SIDE + x] = images[d * SIDE * SIDE + y * SIDE + x];
      }
    }
  });
  await ma.saveGrayPng(file, width, 2 * SIDE, pixels);
}

async function main() {
  const s = settings(ma.parseArgs(), { epochs: 20 });
  const tf = await ma.loadTf();
  console.log(`backend: ${tf.getBackend()}; ${JSON.stringify(s)}`);
  const train = await ma.readMnist(s.dataUrl, 'train', s.trainLimit);
  const test = await ma.readMnist(s.dataUrl, 'test', s.testLimit);
  console.log(`read ${train.count} training and ${test.count} test images`);

  const model = tanhStack(tf, 'autoencoder', LAYERS, 'images', 'reconstruction');
  const testMse = () => ({ mse: mse(predictAll(tf, model, test.x, test.width), test.x) });
  const { history } = await fit(tf, model, { ...s, set: train, target: (b, x) => x, evaluate: testMse });

  const outDir = path.join(s.trainUrl, 'autoencoder');
  await ma.saveModel(model, outDir);
  const shown = test.x.subarray(0, GRID_DIGITS * test.width);
  await saveGrid(path.join(s.trainUrl, 'reconstructions.png'), shown, predictAll(tf, model, shown, test.width), GRID_DIGITS);
  const last = history[history.length - 1];
  console.log(`reconstruction MSE on the test set after ${s.epochs} epochs: ${last ? last.mse.toFixed(4) : 'n/a'}; model saved to ${outDir}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
