"""The base classes of ModelArts inference code.

A hook subclasses TfServingBaseService (model_service.tfserving_model_service), whose
_inference asks the model server, or SingleNodeService, for a hook that runs its own
model in _inference. The platform calls inference(data): _preprocess -> _inference ->
_postprocess, each stage timed.
"""
import time

STAGES = ('preprocess', 'inference', 'postprocess')


class InputError(Exception):
    """Raised by a hook when the request itself is wrong: the client gets a 400 with this message."""


class StageError(Exception):
    """A stage of the hook raised: which one, and the exception it raised."""

    def __init__(self, stage, error):
        super(StageError, self).__init__('_%s raised %s: %s' % (stage, type(error).__name__, error))
        self.stage = stage
        self.error = error


class BaseService(object):
    """Every hook's base: model_name and model_path, and stages that pass data through."""

    def __init__(self, model_name, model_path):
        self.model_name = model_name
        self.model_path = model_path

    def _preprocess(self, data):
        return data

    def _inference(self, data):
        return data

    def _postprocess(self, data):
        return data

    def inference(self, data):
        return run_stages(self, data)[0]


class SingleNodeService(BaseService):
    """ModelArts' base for inference code that loads and runs its own model."""


def run_stages(service, data):
    """(result, {stage: milliseconds}); a stage that raises becomes a StageError naming it."""
    timings = {}
    for stage in STAGES:
        start = time.perf_counter()
        try:
            data = getattr(service, '_' + stage)(data)
        except Exception as e:
            raise StageError(stage, e) from e
        timings[stage] = (time.perf_counter() - start) * 1000.0
    return data, timings
