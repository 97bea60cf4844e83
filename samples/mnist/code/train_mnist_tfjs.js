// The ModelArts tutorial's train_mnist_tf.py, in tfjs: softmax regression (784 -> 10,
// weights and bias from zeros), plain gradient descent at learning rate 0.01 on the
// cross-entropy summed over batches of 50, for --max_steps steps. Pixels are scaled to
// [0, 1] (pixel/255) here and in customize_service.js alike.
// Reports test accuracy every 10 steps and saves the model (input "images" [-1, 784],
// output "scores", softmax over 10) with config.json and customize_service.js into
// <train_url>/model/, the layout that model import expects; --inference_code=python
// writes ModelArts' customize_service.py (model-package-python/) instead.
const path = require('path');
const ma = require('modelarts');

const BATCH = 50;
const LEARNING_RATE = 0.01;
const REPORT_EVERY = 10;
const PIXELS = 784;
const CLASSES = 10;

/** Images as pixel/255 floats and labels as class numbers, in plain typed arrays. */
async function readSet(dataUrl, images, labels) {
  const x = await ma.readIdx(path.join(dataUrl, images));
  const y = await ma.readIdx(path.join(dataUrl, labels));
  const count = x.dims[0];
  if (y.dims[0] !== count) throw new Error(`${images} has ${count} images but ${labels} has ${y.dims[0]} labels`);
  return { count, x: Float32Array.from(x.data, (v) => v / 255), y: Int32Array.from(y.data) };
}

/** Rows [start, start + n) as tensors; batches are cut from the arrays, not from one big tensor. */
function batch(tf, set, start, n) {
  return {
    x: tf.tensor2d(set.x.subarray(start * PIXELS, (start + n) * PIXELS), [n, PIXELS]),
    y: tf.oneHot(tf.tensor1d(set.y.subarray(start, start + n), 'int32'), CLASSES).toFloat(),
  };
}

async function main() {
  const args = ma.parseArgs();
  const maxSteps = ma.numberArg(args, 'max_steps', 1000);
  const dataUrl = ma.stringArg(args, 'data_url');
  const trainUrl = ma.stringArg(args, 'train_url');
  const inferenceCode = ma.stringArg(args, 'inference_code', 'js');
  if (!['js', 'python'].includes(inferenceCode)) throw new Error(`--inference_code is js or python, not ${inferenceCode}`);
  const tf = await ma.loadTf();
  console.log(`backend: ${tf.getBackend()}, max_steps: ${maxSteps}`);

  const train = await readSet(dataUrl, 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz');
  const test = await readSet(dataUrl, 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz');
  const testSet = batch(tf, test, 0, test.count);
  console.log(`read ${train.count} training and ${test.count} test images`);

  const W = tf.variable(tf.zeros([PIXELS, CLASSES]), true, 'W');
  const b = tf.variable(tf.zeros([CLASSES]), true, 'b');
  const logits = (x) => tf.add(tf.matMul(x, W), b);
  const optimizer = tf.train.sgd(LEARNING_RATE);
  const accuracy = () =>
    tf.tidy(() => tf.mean(tf.equal(tf.argMax(logits(testSet.x), 1), tf.argMax(testSet.y, 1)).toFloat()).dataSync()[0]);

  let last = { step: 0, loss: NaN, accuracy: NaN };
  for (let step = 1; step <= maxSteps; step++) {
    // The tutorial walks the training set in order, batch after batch, wrapping around.
    const start = ((step - 1) * BATCH) % train.count;
    const loss = tf.tidy(() => {
      const { x, y } = batch(tf, train, start, BATCH);
      return optimizer.minimize(() => tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(logits(x))))), true, [W, b]);
    });
    if (step % REPORT_EVERY === 0 || step === maxSteps) {
      last = { step, loss: loss.dataSync()[0] / BATCH, accuracy: accuracy() };
      ma.report(last);
      if (step % 100 === 0 || step === maxSteps) console.log(`step ${step}: loss ${last.loss.toFixed(4)}, test accuracy ${last.accuracy.toFixed(4)}`);
    }
    loss.dispose();
  }

  const input = tf.input({ shape: [PIXELS], name: 'images' });
  const dense = tf.layers.dense({ units: CLASSES, activation: 'softmax', name: 'scores' });
  const model = tf.model({ inputs: input, outputs: dense.apply(input) });
  dense.setWeights([W, b]);
  const modelDir = path.join(trainUrl, 'model');
  await ma.saveModel(model, modelDir);
  // config.json (with the measured accuracy) and the inference code travel with the model.
  const packageFiles = inferenceCode === 'python' ? 'model-package-python' : 'model-package';
  await ma.writePackageFiles(path.join(__dirname, packageFiles), modelDir, { accuracy: last.accuracy });
  console.log(`test accuracy after ${maxSteps} steps: ${(last.accuracy * 100).toFixed(2)}%; model saved to ${modelDir}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
