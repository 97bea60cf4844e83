"""TensorFlow itself serving a SavedModel, for the bench: tf.saved_model.load and the signature call,
on the bench's thread count and digits. Prints one JSON line: images/s at batch 1 and at batch 32.

  savedmodel_peer.py <saved_model_dir> <signature> <input> <digits.json> <threads> <seconds>
"""
import json
import os
import sys
import time

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

model_dir, signature, name, digits_file, threads, seconds = sys.argv[1:7]
tf.config.threading.set_intra_op_parallelism_threads(int(threads))
tf.config.threading.set_inter_op_parallelism_threads(1)
fn = tf.saved_model.load(model_dir).signatures[signature]
with open(digits_file) as f:
    digits = np.array(json.load(f), dtype='float32')


def rate(batch):
    count, i = 0, 0
    fn(**{name: tf.constant(digits[:batch])})
    start = time.perf_counter()
    while time.perf_counter() - start < float(seconds):
        at = (i * batch) % (len(digits) - batch)
        fn(**{name: tf.constant(digits[at:at + batch])})
        count += batch
        i += 1
    return count / (time.perf_counter() - start)


print(json.dumps({'tensorflow': tf.__version__, 'threads': int(threads), 'batch_1': rate(1), 'batch_32': rate(32)}))
