"""Models written by TensorFlow itself for the tests, and TensorFlow's own answers on them.

Run with the tests' virtual environment's python (test/helpers/tf-models.ts):
  tf_models.py tutorial <mnist_gz_dir> <out_dir> <steps>   the ModelArts tutorial's TF1 graph, SavedModelBuilder
  tf_models.py predict <jobs.json> <outputs.json>
      jobs.json: [{"dir": …, "signature": …, "inputs": {"name": {"values": [...], "shape": [...], "dtype": "float32"}}}]
      writes one {"output": nested list} per job, in one TensorFlow process
  tf_models.py grpc-predict <host:port> <model> <signature> <inputs.json> <outputs.json>
      server_utils' way: a PredictionServiceStub from tensorflow-serving-api and tf.make_tensor_proto
"""
import gzip
import json
import os
import sys

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import numpy as np  # noqa: E402


def idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist(gz_dir, kind):
    images = idx(os.path.join(gz_dir, '%s-images-idx3-ubyte.gz' % kind)).reshape(-1, 784)
    labels = idx(os.path.join(gz_dir, '%s-labels-idx1-ubyte.gz' % kind))
    return images, labels


def tutorial(gz_dir, out_dir, steps):
    """The tutorial's softmax regression, in TF1 graph mode, saved as its SavedModelBuilder saves it."""
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
    images, labels = mnist(gz_dir, 'train')
    x = tf.placeholder('float', shape=[None, 784], name='x')
    y_ = tf.placeholder('float', shape=[None, 10])
    w = tf.Variable(tf.zeros([784, 10]))
    b = tf.Variable(tf.zeros([10]))
    y = tf.nn.softmax(tf.matmul(x, w) + b, name='y')
    cross_entropy = -tf.reduce_sum(y_ * tf.log(y))
    train_step = tf.train.GradientDescentOptimizer(0.01).minimize(cross_entropy)
    sess = tf.InteractiveSession()
    sess.run(tf.global_variables_initializer())
    rng = np.random.RandomState(0)
    for _ in range(steps):
        pick = rng.randint(0, len(images), 50)
        sess.run(train_step, feed_dict={x: images[pick] / 255.0, y_: np.eye(10)[labels[pick]]})
    builder = tf.saved_model.builder.SavedModelBuilder(out_dir)
    signature = tf.saved_model.signature_def_utils.build_signature_def(
        inputs={'images': tf.saved_model.utils.build_tensor_info(x)},
        outputs={'scores': tf.saved_model.utils.build_tensor_info(y)},
        method_name=tf.saved_model.signature_constants.PREDICT_METHOD_NAME)
    builder.add_meta_graph_and_variables(
        sess, [tf.saved_model.tag_constants.SERVING],
        signature_def_map={'predict_images': signature},
        main_op=tf.tables_initializer(), strip_default_attrs=True)
    builder.save()


def predict(jobs_file, outputs_file):
    import tensorflow as tf
    with open(jobs_file) as f:
        jobs = json.load(f)
    answers = []
    for job in jobs:
        fn = tf.saved_model.load(job['dir']).signatures[job['signature']]
        feed = {k: tf.constant(np.array(v['values'], dtype=v['dtype']).reshape(v['shape'])) for k, v in job['inputs'].items()}
        answers.append({k: v.numpy().tolist() for k, v in fn(**feed).items()})
    with open(outputs_file, 'w') as f:
        json.dump(answers, f)


def grpc_predict(address, model, signature, inputs_file, outputs_file):
    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc
    with open(inputs_file) as f:
        spec = json.load(f)
    stub = prediction_service_pb2_grpc.PredictionServiceStub(grpc.insecure_channel(address))
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    request.model_spec.signature_name = signature
    for k, v in spec.items():
        request.inputs[k].CopyFrom(tf.make_tensor_proto(np.array(v['values'], dtype=v['dtype']).reshape(v['shape'])))
    response = stub.Predict(request, 30.0)
    with open(outputs_file, 'w') as f:
        json.dump({k: tf.make_ndarray(v).tolist() for k, v in response.outputs.items()}, f)


if __name__ == '__main__':
    command, args = sys.argv[1], sys.argv[2:]
    if command == 'tutorial':
        tutorial(args[0], args[1], int(args[2]))
    elif command == 'predict':
        predict(*args)
    elif command == 'grpc-predict':
        grpc_predict(*args)
    else:
        sys.exit('unknown command %s' % command)
