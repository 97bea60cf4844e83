// The training loop both boot files share: mini-batches on the MSE, Adadelta set as Keras
// had it, a checkpoint after every epoch into <train_url>/checkpoints/, and a start from the
// newest checkpoint there (left by an earlier version of the job and pre-downloaded by the
// platform) unless --rebuild=true.
const fs = require('fs');
const path = require('path');
const ma = require('modelarts');

/**
 * Keras' Adadelta: learning rate 1.0, rho 0.95, epsilon 1e-7. tfjs' own default learning
 * rate is 0.001 (as later tf.keras'), which barely moves these networks.
 */
function kerasAdadelta(tf, learningRate = 1.0) {
  return tf.train.adadelta(learningRate, 0.95, 1e-7);
}

/** Where training starts: epoch 0, or the newest checkpoint's epoch with its weights restored. */
async function startingPoint(model, optimizer, dir, rebuild) {
  if (rebuild) {
    fs.rmSync(dir, { recursive: true, force: true });
    console.log('--rebuild: starting from fresh weights; earlier checkpoints removed');
    return { epoch: 0, history: [] };
  }
  const ckpt = await ma.latestCheckpoint(dir);
  if (!ckpt) {
    console.log(`no checkpoint in ${dir}: starting from fresh weights`);
    return { epoch: 0, history: [] };
  }
  await ma.restoreCheckpoint(ckpt, { model, optimizer });
  console.log(`resuming from the checkpoint of epoch ${ckpt.epoch} (${path.basename(ckpt.dir)})`);
  return { epoch: ckpt.epoch, history: ckpt.state.history ?? [] };
}

/** Mean of the per-batch MSE over one pass through `set`, in a fresh order. */
async function trainEpoch(tf, model, optimizer, set, batchSize, target) {
  const weights = model.trainableWeights.map((w) => w.read());
  let sum = 0;
  let count = 0;
  for (const b of ma.batches(set, batchSize, true)) {
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(b.x, [b.size, set.width]);
      const y = target(b, x);
      return optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true })), true, weights);
    });
    // Reading a loss waits for its batch; every tenth is enough for the mean.
    if (count % 10 === 0) sum += (await loss.data())[0];
    loss.dispose();
    count++;
  }
  return sum / Math.ceil(count / 10);
}

/**
 * Trains `model` for epochs up to `o.epochs` (counted across resumes), reporting
 * `{epoch, loss, ...o.evaluate()}` after each one, once its checkpoint is saved.
 */
async function fit(tf, model, o) {
  const optimizer = kerasAdadelta(tf, o.learningRate);
  const dir = path.join(o.trainUrl, 'checkpoints');
  const start = await startingPoint(model, optimizer, dir, o.rebuild);
  const history = start.history;
  for (let epoch = start.epoch + 1; epoch <= o.epochs; epoch++) {
    const started = Date.now();
    const loss = await trainEpoch(tf, model, optimizer, o.set, o.batchSize, o.target);
    const point = { epoch, step: epoch, loss, ...(await o.evaluate()) };
    history.push(point);
    await ma.saveCheckpoint(dir, epoch, { model, optimizer, state: { history } });
    ma.report(point);
    const shown = Object.entries(point).filter(([k]) => k !== 'step' && k !== 'epoch').map(([k, v]) => `${k} ${v.toFixed(4)}`);
    console.log(`epoch ${epoch}: ${shown.join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  return { history, resumedFrom: start.epoch };
}

/** A Keras-style stack of tanh dense layers (glorot-uniform weights, zero biases). */
function tanhStack(tf, name, units, inputName, outputName) {
  const input = tf.input({ shape: [784], name: inputName });
  let h = input;
  units.forEach((n, i) => {
    const last = i === units.length - 1;
    h = tf.layers.dense({ units: n, activation: 'tanh', name: last ? outputName : `${name}_${i + 1}` }).apply(h);
  });
  return tf.model({ inputs: input, outputs: h, name });
}

/** Runs `model` over a set's images in chunks; the outputs in one typed array. */
function predictAll(tf, model, x, width, chunk = 1000) {
  const rows = x.length / width;
  const out = new Float32Array(rows * model.outputs[0].shape[1]);
  for (let start = 0; start < rows; start += chunk) {
    const n = Math.min(chunk, rows - start);
    const y = tf.tidy(() => model.predict(tf.tensor2d(x.subarray(start * width, (start + n) * width), [n, width])));
    out.set(y.dataSync(), start * model.outputs[0].shape[1]);
    y.dispose();
  }
  return out;
}

function settings(args, defaults) {
  return {
    epochs: ma.numberArg(args, 'epochs', defaults.epochs),
    batchSize: ma.numberArg(args, 'batch_size', 50),
    learningRate: ma.numberArg(args, 'learning_rate', 1.0),
    trainLimit: ma.numberArg(args, 'train_limit', 60000),
    testLimit: ma.numberArg(args, 'test_limit', 10000),
    rebuild: args.rebuild === 'true',
    trainUrl: ma.stringArg(args, 'train_url'),
    dataUrl: ma.stringArg(args, 'data_url'),
  };
}

module.exports = { fit, tanhStack, predictAll, settings };
