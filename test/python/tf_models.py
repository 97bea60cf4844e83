"""Models written by TensorFlow itself for the tests, and TensorFlow's own answers on them.

Run with the tests' virtual environment's python (test/helpers/tf-models.ts):
  tf_models.py tutorial <mnist_gz_dir> <out_dir> <steps>   the ModelArts tutorial's TF1 graph, SavedModelBuilder
  tf_models.py predict <jobs.json> <outputs.json>
      jobs.json: [{"dir": …, "signature": …, "inputs": {"name": {"values": [...], "shape": [...], "dtype": "float32"}}}]
      writes one {"output": nested list} per job, in one TensorFlow process
  tf_models.py partitioned <out_dir>   a TF1 graph whose variable is split in three parts (fixed_size_partitioner)
  tf_models.py digit-cnn <mnist_gz_dir> <out_dir> <train_images>
      the DigitClassifier CNN in Keras, trained briefly; writes cnnModel.h5, cnnModel.keras and
      my_digit_classifier/1/ (model.export, a TF Serving SavedModel)
  tf_models.py keras-predict <jobs.json> <outputs.json>   jobs: [{"file": …, "inputs": [...], "shape": [...]}]
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


def partitioned(out_dir):
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
    x = tf.placeholder(tf.float32, [None, 6], name='x')
    w = tf.get_variable('w', shape=[6, 4], partitioner=tf.fixed_size_partitioner(3), initializer=tf.random_normal_initializer(seed=1))
    y = tf.matmul(x, w, name='y')
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    builder = tf.saved_model.builder.SavedModelBuilder(out_dir)
    signature = tf.saved_model.signature_def_utils.predict_signature_def({'x': x}, {'y': y})
    builder.add_meta_graph_and_variables(sess, ['serve'], signature_def_map={'serving_default': signature})
    builder.save()


def digit_cnn(gz_dir, out_dir, count):
    import keras
    keras.utils.set_random_seed(0)
    images, labels = mnist(gz_dir, 'train')
    x = (images[:count] / 255.0).reshape(-1, 28, 28, 1).astype('float32')
    y = keras.utils.to_categorical(labels[:count], 10)
    conv = lambda name, filters: keras.layers.Conv2D(filters, 3, padding='same', activation='relu', name=name)
    inp = keras.Input((28, 28, 1), name='images')
    trunk = keras.layers.MaxPooling2D(2, name='pool1')(conv('conv1', 32)(inp))
    branch = lambda b: conv('branch_%s_conv2' % b, 256)(keras.layers.MaxPooling2D(2, name='branch_%s_pool' % b)(conv('branch_%s_conv1' % b, 64)(trunk)))
    h = keras.layers.Flatten(name='flatten')(keras.layers.Concatenate(name='concat')([branch('a'), branch('b')]))
    h = keras.layers.Dense(500, activation='relu', name='dense2')(keras.layers.Dense(1000, activation='relu', name='dense1')(h))
    out = keras.layers.Dense(10, activation='softmax', name='probabilities')(h)
    model = keras.Model(inp, out, name='digit_classifier')
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss='categorical_crossentropy', metrics=['accuracy'])
    model.fit(x, y, batch_size=64, epochs=1, verbose=0)
    # Saved without the optimizer's slots (three times the weights' size), as a model for serving is.
    trained = keras.Model.from_config(model.get_config())
    trained.set_weights(model.get_weights())
    os.makedirs(out_dir, exist_ok=True)
    trained.save(os.path.join(out_dir, 'cnnModel.h5'))
    trained.save(os.path.join(out_dir, 'cnnModel.keras'))
    trained.export(os.path.join(out_dir, 'my_digit_classifier', '1'), verbose=False)


def keras_predict(jobs_file, outputs_file):
    import keras
    with open(jobs_file) as f:
        jobs = json.load(f)
    answers = []
    for job in jobs:
        path = job['file']
        with open(path, 'rb') as f:
            hdf5 = f.read(8) == b'\x89HDF\r\n\x1a\n'
        if hdf5 and not path.endswith('.h5'):
            # Keras picks the reader by the name; an HDF5 file named .keras needs an .h5 name.
            link = os.path.join(os.path.dirname(outputs_file), os.path.basename(path) + '.h5')
            os.symlink(path, link)
            path = link
        model = keras.models.load_model(path, compile=False)
        answers.append(model.predict(np.array(job['inputs'], dtype='float32').reshape(job['shape']), verbose=0).tolist())
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
    elif command == 'partitioned':
        partitioned(args[0])
    elif command == 'digit-cnn':
        digit_cnn(args[0], args[1], int(args[2]))
    elif command == 'keras-predict':
        keras_predict(*args)
    elif command == 'grpc-predict':
        grpc_predict(*args)
    else:
        sys.exit('unknown command %s' % command)
