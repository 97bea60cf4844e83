// The DigitClassifier network of the TF Serving MNIST example, layer for layer:
// 28x28x1 → conv 3x3x32 → maxpool 2 → two branches (conv 3x3x64 → maxpool 2 →
// conv 3x3x256) → concatenate 7x7x512 → flatten 25,088 → dense 1000 → dense 500 →
// dense 10 softmax. 25,927,246 trainable parameters.

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

module.exports = { buildDigitClassifier };
