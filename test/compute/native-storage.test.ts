import assert from 'node:assert/strict';
import type { Tensor } from '@tensorflow/tfjs';
import type { NativeStorage } from '../../compute/native-storage';
import type { Tf } from '../../compute/tf';
import { useNativeBackend } from './helpers/native';

describe('the native backend reuses the large arrays of disposed tensors, and only those nothing else sees', function () {
  const native = useNativeBackend();
  let tf: Tf;
  let storage: NativeStorage;
  beforeEach(async () => {
    tf = native();
    await tf.setBackend('native');
    storage = tf.backend() as NativeStorage;
  });
  afterEach(async () => tf.setBackend('cpu'));
  const big = (seed: number) => tf.randomNormal([300, 300], 0, 1, 'float32', seed);

  it('gives a disposed output\'s array to the next output of its size', () => {
    const x = big(1);
    tf.relu(x).dispose();
    const before = { ...storage.arrays };
    const y = tf.relu(x);
    assert.equal(storage.arrays.reused, before.reused + 1);
    assert.equal(storage.arrays.fresh, before.fresh);
    tf.dispose([x, y]);
  });

  it('never reuses an array that dataSync handed out: the values read stay as they were', () => {
    const x = big(2);
    const y = tf.relu(x);
    const read = y.dataSync();
    const copy = Float32Array.from(read);
    y.dispose();
    const others = [tf.neg(x), tf.relu(tf.neg(x)), tf.relu6(x)];
    assert.deepEqual(read, copy);
    tf.dispose([x, ...others]);
  });

  it('never reuses an array another tensor views (a slice of it), while that tensor lives', () => {
    const x = big(3);
    const y = tf.relu(x);
    const rows: Tensor = tf.slice(y, [10, 0], [20, 300]);
    const expected = Float32Array.from(tf.relu(tf.slice(x, [10, 0], [20, 300])).dataSync());
    y.dispose();
    const others = [tf.neg(x), tf.relu(tf.neg(x)), tf.relu6(x)];
    assert.deepEqual(rows.dataSync(), expected);
    tf.dispose([x, rows, ...others]);
  });

  it('keeps a tensor\'s values while a clone of it lives', () => {
    const x = big(4);
    const y = tf.relu(x);
    const clone = tf.clone(y);
    const expected = Float32Array.from(tf.relu(x).dataSync());
    y.dispose();
    const others = [tf.neg(x), tf.relu(tf.neg(x))];
    assert.deepEqual(clone.dataSync(), expected);
    tf.dispose([x, clone, ...others]);
  });
});
