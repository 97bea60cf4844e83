# Inference code of the MNIST tutorial model in ModelArts' Python, in the manner of the
# tutorial's customize_service.py: each uploaded image becomes a 1x784 float vector,
# TfServingBaseService._inference has the model server run the model, and the top five
# scores are returned. Unlike the tutorial's, pixels are scaled to [0, 1] (what
# train_mnist_tfjs.js trained on), an image must be 28x28, and scores stay numbers, as
# config.json's response says. It runs unchanged on ModelArts.
from PIL import Image
import numpy as np
from model_service.tfserving_model_service import TfServingBaseService

try:
    from model_service.model_service import InputError  # ModelArts Local: a 400 for the client
except ImportError:
    InputError = ValueError

SIDE = 28
TOP_K = 5


class MnistService(TfServingBaseService):

    def _preprocess(self, data):
        inputs = {}
        for field, files in data.items():
            if not isinstance(files, dict):
                continue
            for file_name, content in files.items():
                image = Image.open(content).convert('L')
                if image.size != (SIDE, SIDE):
                    raise InputError('%s is %dx%d pixels; this model reads 28x28 white-on-black digits' % (file_name, image.size[0], image.size[1]))
                inputs[field] = (np.asarray(image, dtype=np.float32) / 255.0).reshape(1, SIDE * SIDE)
        return inputs

    def _postprocess(self, data):
        scores = data['scores'][0]
        ranked = sorted(((str(label), score) for label, score in enumerate(scores)), key=lambda pair: pair[1], reverse=True)[:TOP_K]
        return {'predicted_label': ranked[0][0], 'scores': [list(pair) for pair in ranked]}
