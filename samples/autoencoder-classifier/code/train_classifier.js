// The classifier of the autoencoder + classifier sample: 784-140-80-40-10, tanh everywhere,
// trained on the MSE against one-hot labels with Adadelta at learning rate 1.0, batches of
// 50 — not on the raw digits but on the autoencoder's reconstructions of them, which is
// what it reads when serving. Its job takes two inputs: --data_url (MNIST) and
// --autoencoder_url (the output folder of an autoencoder job version, holding autoencoder/).
// Each epoch it reports the loss and the test accuracy on reconstructed test digits, and
// saves a checkpoint (a later version resumes from it; see trainer.js). The output model/
// is one package with both models: model/autoencoder/, model/classifier/, config.json and
// customize_service.js, which runs an image through both.
const fs = require('fs');
const path = require('path');
const ma = require('modelarts');
const { fit, tanhStack, predictAll, settings } = require('./trainer');

const LAYERS = [140, 80, 40, 10];
const CLASSES = 10;

/** The set with each image replaced by the autoencoder's reconstruction of it. */
function reconstructed(tf, autoencoder, set) {
  return { ...set, x: predictAll(tf, autoencoder, set.x, set.width) };
}

function accuracy(tf, model, test) {
  const scores = predictAll(tf, model, test.x, test.width);
  let right = 0;
  for (let i = 0; i < test.count; i++) {
    const row = scores.subarray(i * CLASSES, (i + 1) * CLASSES);
    if (row.indexOf(Math.max(...row)) === test.y[i]) right++;
  }
  return right / test.count;
}

async function main() {
  const args = ma.parseArgs();
  const s = settings(args, { epochs: 20 });
  const aeDir = path.join(ma.stringArg(args, 'autoencoder_url'), 'autoencoder');
  const tf = await ma.loadTf();
  console.log(`backend: ${tf.getBackend()}; ${JSON.stringify(s)}; autoencoder from ${aeDir}`);
  const autoencoder = await ma.loadModel(aeDir);
  const train = reconstructed(tf, autoencoder, await ma.readMnist(s.dataUrl, 'train', s.trainLimit));
  const test = reconstructed(tf, autoencoder, await ma.readMnist(s.dataUrl, 'test', s.testLimit));
  console.log(`reconstructed ${train.count} training and ${test.count} test images with the autoencoder`);

  const model = tanhStack(tf, 'classifier', LAYERS, 'images', 'scores');
  const oneHot = (b) => tf.oneHot(tf.tensor1d(b.y, 'int32'), CLASSES).toFloat();
  const { history } = await fit(tf, model, { ...s, set: train, target: oneHot, evaluate: () => ({ accuracy: accuracy(tf, model, test) }) });

  const modelDir = path.join(s.trainUrl, 'model');
  await ma.saveModel(model, path.join(modelDir, 'classifier'));
  fs.cpSync(aeDir, path.join(modelDir, 'autoencoder'), { recursive: true });
  const last = history[history.length - 1] ?? { accuracy: accuracy(tf, model, test) };
  await ma.writePackageFiles(path.join(__dirname, 'model-package'), modelDir, { accuracy: last.accuracy });
  console.log(`test accuracy on reconstructed digits after ${s.epochs} epochs: ${(last.accuracy * 100).toFixed(2)}%; package saved to ${modelDir}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
