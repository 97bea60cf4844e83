"""Several requests of one worker run together, stage by stage: each request's _preprocess, then
one model call frame carrying all their inputs (which the instance batches into one model run),
then each request's _postprocess. Each request keeps its own answer, error and stage timings, as
if it had run alone; only the order of stages across the requests differs — as when ModelArts'
threaded runtime answers concurrent requests with the one service object.

Only hooks whose stages are the usual three and whose _inference is TfServingBaseService's own
(it sends the inputs to the model and returns the outputs, nothing else) run this way
(runs_together); any other hook answers its requests one after another.
"""
import time

from model_service.model_service import BaseService, StageError
from model_service.tfserving_model_service import TfServingBaseService

_UNSET = object()


def runs_together(service):
    cls = type(service)
    return cls.inference is BaseService.inference and getattr(cls, '_inference', None) is TfServingBaseService._inference


def _millis(start):
    return (time.perf_counter() - start) * 1000.0


def _raised(error):
    """The exception with a traceback, as if _inference had raised it (the events show tracebacks)."""
    try:
        raise error
    except Exception as e:
        return e


def _preprocess_each(service, datas, timings):
    inputs, failed = [], {}
    for i, data in enumerate(datas):
        start = time.perf_counter()
        try:
            inputs.append(service._preprocess(data))
        except Exception as e:
            failed[i] = StageError('preprocess', e)
            inputs.append(_UNSET)
            continue
        timings[i]['preprocess'] = _millis(start)
    return inputs, failed


def run_together(service, datas, predict_many):
    """[(result, timings) or (StageError, timings)] for each of datas, in order."""
    timings = [{} for _ in datas]
    inputs, outcomes = _preprocess_each(service, datas, timings)
    live = [i for i in range(len(datas)) if i not in outcomes]
    start = time.perf_counter()
    try:
        outputs = predict_many([inputs[i] for i in live]) if live else []
    except Exception as e:
        outputs = [e] * len(live)
    took = _millis(start)
    for i, output in zip(live, outputs):
        if isinstance(output, Exception):
            outcomes[i] = StageError('inference', _raised(output))
            continue
        timings[i]['inference'] = took
        start = time.perf_counter()
        try:
            outcomes[i] = service._postprocess(output)
        except Exception as e:
            outcomes[i] = StageError('postprocess', e)
            continue
        timings[i]['postprocess'] = _millis(start)
    return [(outcomes[i], timings[i]) for i in range(len(datas))]
