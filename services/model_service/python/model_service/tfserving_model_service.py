"""TfServingBaseService: the base of TensorFlow inference code on ModelArts.

_inference sends the preprocessed inputs ({input name: numpy array, list or number}) to the
instance that runs the model — over the worker's own channel (model_service.model_channel), or
TF Serving's REST API (:predict, on loopback) where there is no channel — and returns the outputs
as Python lists by output name, so that _postprocess can write data['scores'][0].index(...).
"""
from model_service import model_channel
from model_service.model_service import BaseService, InputError, SingleNodeService  # noqa: F401
from model_service.tf_serving_client import default_client


class TfServingBaseService(SingleNodeService):

    def __init__(self, model_name, model_path):
        super(TfServingBaseService, self).__init__(model_name, model_path)

    def _inference(self, data):
        channel = model_channel.current()
        return channel.predict(data) if channel else default_client().predict(data)
