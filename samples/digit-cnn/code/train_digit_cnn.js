// Trains the DigitClassifier CNN (digit_classifier.js) on MNIST as the Keras example
// does: Adam at learning rate 0.001 on categorical cross-entropy, --epochs passes
// (default 5) over the 60,000 training images, then evaluation on the 10,000 test
// images. Pixels are scaled to [0, 1] (pixel/255) here and in customize_service.js.
//
// Parameters: --epochs, --batch_size, --learning_rate, --subset=N (the first N images
// of each set, for a quick run) and --config_file=<key=value file in the code dir>;
// parameters given to the job win over the file, the file over the defaults.
// Outputs in <train_url>: model/ (model.json, weights.bin, config.json,
// customize_service.js: a ready model package) and evaluation-<timestamp>.txt.
const fs = require('fs');
const path = require('path');
const ma = require('modelarts');
const { buildDigitClassifier } = require('./digit_classifier');

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CLASSES = 10;
const DEFAULTS = { epochs: 5, batch_size: 64, learning_rate: 0.001 };
const REPORT_EVERY_BATCHES = 10;
const LOG_EVERY_BATCHES = 50;
const EVAL_BATCH = 500;

/** Defaults, then the config file, then the job's own parameters. */
function hyperparameters(args) {
  const fromFile = args.config_file ? readConfigFile(args.config_file) : {};
  const merged = { ...DEFAULTS, ...fromFile };
  for (const key of Object.keys(DEFAULTS)) if (args[key] !== undefined) merged[key] = args[key];
  const hp = {};
  for (const [key, value] of Object.entries(merged)) {
    if (!(key in DEFAULTS)) throw new Error(`unknown hyperparameter "${key}" in ${args.config_file}; known: ${Object.keys(DEFAULTS).join(', ')}`);
    const n = Number(value);
    const whole = key !== 'learning_rate';
    if (!Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n))) throw new Error(`${key}=${value} must be a positive ${whole ? 'whole ' : ''}number`);
    hp[key] = n;
  }
  hp.subset = args.subset === undefined ? undefined : ma.numberArg(args, 'subset', 0);
  if (hp.subset !== undefined && (!Number.isInteger(hp.subset) || hp.subset < 1)) throw new Error(`--subset=${args.subset} must be a positive whole number`);
  return hp;
}

/** `key=value` lines; `#` starts a comment. The path is relative to the code dir. */
function readConfigFile(name) {
  const file = path.resolve(__dirname, name);
  if (!fs.existsSync(file)) throw new Error(`--config_file=${name}: ${file} does not exist`);
  const out = {};
  fs.readFileSync(file, 'utf8').split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const eq = line.indexOf('=');
    if (eq < 1) throw new Error(`${name} line ${i + 1}: expected key=value, got "${raw.trim()}"`);
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  });
  return out;
}

/**
 * Whether this backend can compute a convolution's gradient. tfjs' wasm backend has
 * no Conv2DBackpropFilter kernel unless the platform registers one; without it,
 * training must run on the (much slower) cpu backend.
 */
function convGradientProblem(tf) {
  try {
    tf.tidy(() => {
      const x = tf.ones([1, 3, 3, 1]);
      tf.grad((w) => tf.conv2d(x, w, 1, 'same').sum())(tf.ones([2, 2, 1, 1])).dataSync();
    });
    return undefined;
  } catch (err) {
    return err.message.split('\n')[0];
  }
}

async function chooseTrainingBackend(tf) {
  const best = tf.getBackend();
  const problem = convGradientProblem(tf);
  if (!problem) return { best, training: best };
  await tf.setBackend('cpu');
  console.log(`backend ${best} cannot train convolutions here (${problem}); training on cpu instead, which is far slower, and evaluating on ${best}. The native backend (npm ci builds it where libdnnl-dev and libopenblas-dev are installed) trains convolutions at full speed.`);
  return { best, training: 'cpu' };
}

async function readSet(dataUrl, images, labels, limit) {
  const x = await ma.readIdx(path.join(dataUrl, images));
  const y = await ma.readIdx(path.join(dataUrl, labels));
  if (y.dims[0] !== x.dims[0]) throw new Error(`${images} has ${x.dims[0]} images but ${labels} has ${y.dims[0]} labels`);
  const total = x.dims[0];
  const count = Math.min(total, limit ?? total);
  return { count, total, x: Float32Array.from(x.data.subarray(0, count * PIXELS), (v) => v / 255), y: Int32Array.from(y.data.subarray(0, count)) };
}

/** The rows named by `order[start, end)` as an image batch and one-hot labels. */
function batchOf(tf, set, order, start, end) {
  const n = end - start;
  const xs = new Float32Array(n * PIXELS);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const row = order[start + i];
    xs.set(set.x.subarray(row * PIXELS, (row + 1) * PIXELS), i * PIXELS);
    ys[i] = set.y[row];
  }
  return tf.tidy(() => ({ x: tf.tensor4d(xs, [n, SIDE, SIDE, 1]), y: tf.oneHot(tf.tensor1d(ys, 'int32'), CLASSES).toFloat() }));
}

function shuffled(count) {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

async function fit(tf, model, set, hp) {
  const batches = Math.ceil(set.count / hp.batch_size);
  const totalSteps = batches * hp.epochs;
  const started = Date.now();
  let step = 0;
  let processed = 0;
  let last = {};
  for (let epoch = 1; epoch <= hp.epochs; epoch++) {
    const order = shuffled(set.count);
    let seen = 0, correct = 0, lossSum = 0;
    for (let b = 0; b < batches; b++) {
      const start = b * hp.batch_size;
      const end = Math.min(set.count, start + hp.batch_size);
      const { x, y } = batchOf(tf, set, order, start, end);
      const [loss, acc] = await model.trainOnBatch(x, y);
      tf.dispose([x, y]);
      step++;
      processed += end - start;
      seen += end - start;
      correct += acc * (end - start);
      lossSum += loss * (end - start);
      const samplesPerSecond = processed / ((Date.now() - started) / 1000);
      last = { epoch, step, loss: lossSum / seen, accuracy: correct / seen, progress: step / totalSteps, samples_per_second: samplesPerSecond };
      if (step % REPORT_EVERY_BATCHES === 0 || b === batches - 1) ma.report(last);
      if (step % LOG_EVERY_BATCHES === 0 || b === batches - 1) {
        console.log(`epoch ${epoch}/${hp.epochs} batch ${b + 1}/${batches}: loss ${last.loss.toFixed(4)}, accuracy ${last.accuracy.toFixed(4)}, ${samplesPerSecond.toFixed(1)} samples/s`);
      }
    }
  }
  return { ...last, seconds: (Date.now() - started) / 1000, steps: step };
}

async function evaluate(tf, model, set) {
  const confusion = Array.from({ length: CLASSES }, () => new Array(CLASSES).fill(0));
  const order = Int32Array.from({ length: set.count }, (_, i) => i);
  for (let start = 0; start < set.count; start += EVAL_BATCH) {
    const end = Math.min(set.count, start + EVAL_BATCH);
    const { x, y } = batchOf(tf, set, order, start, end);
    const predicted = tf.tidy(() => model.predict(x).argMax(1));
    const classes = await predicted.data();
    tf.dispose([x, y, predicted]);
    for (let i = 0; i < classes.length; i++) confusion[set.y[start + i]][classes[i]]++;
  }
  const right = confusion.reduce((n, row, i) => n + row[i], 0);
  return { accuracy: right / set.count, misclassified: set.count - right, confusion };
}

function evaluationText(r) {
  const pct = (v) => `${(v * 100).toFixed(2)}%`;
  const lines = [
    `DigitClassifier evaluation, ${r.finished}`,
    `backend: ${r.backends.training === r.backends.best ? r.backends.best : `training on ${r.backends.training}, evaluation on ${r.backends.best}`}`,
    `hyperparameters: epochs ${r.hp.epochs}, batch size ${r.hp.batch_size}, learning rate ${r.hp.learning_rate}`,
    `training images: ${r.train.count} of ${r.train.total}; test images: ${r.test.count} of ${r.test.total}`,
    `train accuracy: ${pct(r.trained.accuracy)} (over the last epoch's batches, as Keras' fit reports it)`,
    `test accuracy: ${pct(r.evaluation.accuracy)}`,
    `misclassified test images: ${r.evaluation.misclassified} of ${r.test.count}`,
    `training time: ${r.trained.seconds.toFixed(1)} s, ${r.trained.samples_per_second.toFixed(2)} samples/s`,
    '',
    'confusion matrix (rows: true class, columns: predicted class)',
    ...r.evaluation.confusion.map((row, i) => `${i}: ${row.map((n) => String(n).padStart(5)).join('')}`),
  ];
  return lines.join('\n') + '\n';
}

async function main() {
  const args = ma.parseArgs();
  const hp = hyperparameters(args);
  const dataUrl = ma.stringArg(args, 'data_url');
  const trainUrl = ma.stringArg(args, 'train_url');
  const tf = await ma.loadTf();
  const backends = await chooseTrainingBackend(tf);
  console.log(`backend: ${backends.training}; epochs ${hp.epochs}, batch size ${hp.batch_size}, learning rate ${hp.learning_rate}${hp.subset ? `, subset ${hp.subset}` : ''}`);

  const train = await readSet(dataUrl, 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', hp.subset);
  const test = await readSet(dataUrl, 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', hp.subset);
  console.log(`training on ${train.count} of ${train.total} images, evaluating on ${test.count} of ${test.total}`);

  const model = buildDigitClassifier(tf);
  console.log(`DigitClassifier: ${model.countParams()} trainable parameters`);
  model.compile({ optimizer: tf.train.adam(hp.learning_rate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const trained = await fit(tf, model, train, hp);
  // The forward pass runs on the best backend even when the gradient could not.
  if (backends.training !== backends.best) await tf.setBackend(backends.best);
  const evaluation = await evaluate(tf, model, test);
  ma.report({
    epoch: hp.epochs, step: trained.steps, progress: 1, loss: trained.loss,
    train_accuracy: trained.accuracy, test_accuracy: evaluation.accuracy, misclassified: evaluation.misclassified,
    samples_per_second: trained.samples_per_second, training_seconds: trained.seconds,
  });

  const finished = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const report = evaluationText({ finished, backends, hp, train, test, trained, evaluation });
  const reportFile = path.join(trainUrl, `evaluation-${finished.replace(/:/g, '-')}.txt`);
  fs.mkdirSync(trainUrl, { recursive: true });
  fs.writeFileSync(reportFile, report);
  process.stdout.write(report);

  const modelDir = path.join(trainUrl, 'model');
  await ma.saveModel(model, modelDir);
  // config.json (with the measured accuracy) and customize_service.js travel with the model.
  await ma.writePackageFiles(path.join(__dirname, 'model-package'), modelDir, { accuracy: evaluation.accuracy });
  console.log(`test accuracy ${(evaluation.accuracy * 100).toFixed(2)}%; model saved to ${modelDir}, evaluation in ${reportFile}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
