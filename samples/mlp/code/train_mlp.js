// A 784-30-10 network of sigmoid neurons trained by mini-batch gradient descent on the
// quadratic cost, as in Nielsen's "Neural Networks and Deep Learning" (chapter 1, with the
// weight initialisation of chapter 3): random normal weights and biases, each batch moves
// them by learning_rate times the gradient of the cost averaged over the batch. Pixels are
// scaled to [0, 1] (pixel/255), here and in customize_service.js alike.
// Reports the mean training cost and the test accuracy (all 10,000 test images) after each
// epoch, then saves the model (input "images" [-1, 784], output "scores", 10 sigmoid
// activations) with config.json and customize_service.js into <train_url>/model/.
const path = require('path');
const ma = require('modelarts');

const PIXELS = 784;
const CLASSES = 10;

function settings(args) {
  return {
    epochs: ma.numberArg(args, 'epochs', 20),
    batchSize: ma.numberArg(args, 'batch_size', 10),
    learningRate: ma.numberArg(args, 'learning_rate', 3.0),
    hidden: ma.numberArg(args, 'hidden', 30),
    trainLimit: ma.numberArg(args, 'train_limit', 60000),
    seed: args.seed === undefined ? undefined : ma.numberArg(args, 'seed', 0),
    init: ma.stringArg(args, 'init', 'scaled'),
  };
}

/**
 * Weights and biases of both layers as variables drawn from normal distributions: biases
 * from N(0, 1); weights from N(0, 1/n_in) with --init=scaled (the default: a neuron's input
 * then starts near 0, where the sigmoid learns fastest), from N(0, 1) with --init=standard.
 */
function initialWeights(tf, s) {
  const normal = (shape, std, offset) =>
    tf.variable(tf.randomNormal(shape, 0, std, 'float32', s.seed === undefined ? undefined : s.seed + offset));
  const std = (fanIn) => (s.init === 'standard' ? 1 : 1 / Math.sqrt(fanIn));
  return {
    w1: normal([PIXELS, s.hidden], std(PIXELS), 0),
    b1: normal([s.hidden], 1, 1),
    w2: normal([s.hidden, CLASSES], std(s.hidden), 2),
    b2: normal([CLASSES], 1, 3),
  };
}

function forward(tf, p, x) {
  const h = tf.sigmoid(tf.add(tf.matMul(x, p.w1), p.b1));
  return tf.sigmoid(tf.add(tf.matMul(h, p.w2), p.b2));
}

/** One epoch of mini-batch gradient descent; resolves to the mean cost over its batches. */
async function trainEpoch(tf, p, optimizer, train, s) {
  let costSum = 0;
  let batchCount = 0;
  for (const b of ma.batches(train, s.batchSize, true)) {
    const cost = tf.tidy(() => {
      const x = tf.tensor2d(b.x, [b.size, PIXELS]);
      const y = tf.oneHot(tf.tensor1d(b.y, 'int32'), CLASSES).toFloat();
      // C = 1/(2n) * sum over the batch of |y - a|^2, the book's quadratic cost.
      return optimizer.minimize(() => tf.div(tf.sum(tf.square(tf.sub(forward(tf, p, x), y))), 2 * b.size), true, Object.values(p));
    });
    // Reading every cost would wait for each batch; a sample of them is enough for the mean.
    if (batchCount % 50 === 0) costSum += (await cost.data())[0];
    cost.dispose();
    batchCount++;
  }
  return costSum / Math.ceil(batchCount / 50);
}

function accuracy(tf, p, test) {
  return tf.tidy(() => {
    const predicted = tf.argMax(forward(tf, p, test.x), 1);
    return tf.sum(tf.equal(predicted, test.y)).dataSync()[0] / test.y.shape[0];
  });
}

/** The trained weights as a Layers model, the form the platform serves. */
function toModel(tf, p, hidden) {
  const input = tf.input({ shape: [PIXELS], name: 'images' });
  const h = tf.layers.dense({ units: hidden, activation: 'sigmoid', name: 'hidden' });
  const out = tf.layers.dense({ units: CLASSES, activation: 'sigmoid', name: 'scores' });
  const model = tf.model({ inputs: input, outputs: out.apply(h.apply(input)) });
  h.setWeights([p.w1, p.b1]);
  out.setWeights([p.w2, p.b2]);
  return model;
}

async function main() {
  const args = ma.parseArgs();
  const s = settings(args);
  const tf = await ma.loadTf();
  console.log(`backend: ${tf.getBackend()}; ${JSON.stringify(s)}`);
  const train = await ma.readMnist(args.data_url, 'train', s.trainLimit);
  const testSet = await ma.readMnist(args.data_url, 'test');
  const test = { x: tf.tensor2d(testSet.x, [testSet.count, PIXELS]), y: tf.tensor1d(testSet.y, 'int32') };
  console.log(`read ${train.count} training and ${testSet.count} test images`);

  const p = initialWeights(tf, s);
  const optimizer = tf.train.sgd(s.learningRate);
  let last = { epoch: 0, accuracy: accuracy(tf, p, test) };
  console.log(`before training: test accuracy ${last.accuracy.toFixed(4)}`);
  for (let epoch = 1; epoch <= s.epochs; epoch++) {
    const started = Date.now();
    const loss = await trainEpoch(tf, p, optimizer, train, s);
    last = { epoch, step: epoch, loss, accuracy: accuracy(tf, p, test) };
    ma.report(last);
    console.log(`epoch ${epoch}: cost ${loss.toFixed(4)}, test accuracy ${last.accuracy.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }

  const modelDir = path.join(args.train_url, 'model');
  await ma.saveModel(toModel(tf, p, s.hidden), modelDir);
  await ma.writePackageFiles(path.join(__dirname, 'model-package'), modelDir, { accuracy: last.accuracy });
  console.log(`test accuracy after ${s.epochs} epochs: ${(last.accuracy * 100).toFixed(2)}%; model saved to ${modelDir}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
