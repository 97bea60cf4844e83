// The DigitClassifier network of the TF Serving MNIST example, layer for layer:
// 28x28x1 → conv 3x3x32 → maxpool 2 → two branches (conv 3x3x64 → maxpool 2 →
// conv 3x3x256) → concatenate 7x7x512 → flatten 25,088 → dense 1000 → dense 500 →
// dense 10 softmax. 25,927,246 trainable parameters.

/** What each layer must hold; the test of the sample checks the built model against it. */
const LAYER_PLAN = [
  { name: 'images', outputShape: [null, 28, 28, 1], params: 0 },
  { name: 'conv1', outputShape: [null, 28, 28, 32], params: 320 },
  { name: 'pool1', outputShape: [null, 14, 14, 32], params: 0 },
  { name: 'branch_a_conv1', outputShape: [null, 14, 14, 64], params: 18496 },
  { name: 'branch_b_conv1', outputShape: [null, 14, 14, 64], params: 18496 },
  { name: 'branch_a_pool', outputShape: [null, 7, 7, 64], params: 0 },
  { name: 'branch_b_pool', outputShape: [null, 7, 7, 64], params: 0 },
  { name: 'branch_a_conv2', outputShape: [null, 7, 7, 256], params: 147712 },
  { name: 'branch_b_conv2', outputShape: [null, 7, 7, 256], params: 147712 },
  { name: 'concat', outputShape: [null, 7, 7, 512], params: 0 },
  { name: 'flatten', outputShape: [null, 25088], params: 0 },
  { name: 'dense1', outputShape: [null, 1000], params: 25089000 },
  { name: 'dense2', outputShape: [null, 500], params: 500500 },
  { name: 'probabilities', outputShape: [null, 10], params: 5010 },
];
const TRAINABLE_PARAMS = 25927246;

function buildDigitClassifier(tf) {
  const conv = (name, filters) => tf.layers.conv2d({ name, filters, kernelSize: 3, padding: 'same', activation: 'relu' });
  const pool = (name) => tf.layers.maxPooling2d({ name, poolSize: 2 });
  const input = tf.input({ name: 'images', shape: [28, 28, 1] });
  const trunk = pool('pool1').apply(conv('conv1', 32).apply(input));
  const branch = (b) => conv(`branch_${b}_conv2`, 256).apply(pool(`branch_${b}_pool`).apply(conv(`branch_${b}_conv1`, 64).apply(trunk)));
  const joined = tf.layers.concatenate({ name: 'concat' }).apply([branch('a'), branch('b')]);
  let x = tf.layers.flatten({ name: 'flatten' }).apply(joined);
  x = tf.layers.dense({ name: 'dense1', units: 1000, activation: 'relu' }).apply(x);
  x = tf.layers.dense({ name: 'dense2', units: 500, activation: 'relu' }).apply(x);
  const output = tf.layers.dense({ name: 'probabilities', units: 10, activation: 'softmax' }).apply(x);
  return tf.model({ name: 'digit_classifier', inputs: input, outputs: output });
}

module.exports = { buildDigitClassifier, LAYER_PLAN, TRAINABLE_PARAMS };
