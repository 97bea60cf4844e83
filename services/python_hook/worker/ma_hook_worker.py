"""A Python worker of a ModelArts Local service instance (standard library only).

Loads the package's customize_service.py, finds its hook class, and answers requests on
the protocol socket (ma_hook_channel). First frame out: ready (saying whether the hook's
requests can run together, ma_hook_together) or fatal. TfServingBaseService._inference asks
the instance for the model's outputs on the same socket (a 'model' frame of one call or
several, answered by a 'model-answer'). The worker ends when the instance closes the socket.
"""
import collections
import importlib.util
import inspect
import io
import json
import math
import os
import platform
import re
import socket
import sys
import time
import traceback

from model_service import model_channel
from model_service.model_service import BaseService, InputError, StageError, run_stages
from model_service.tf_serving_client import plain
from ma_hook_channel import Channel
from ma_hook_together import run_together, runs_together

HOOK_MODULE = 'customize_service'


class HookLoadError(Exception):
    pass


def hook_line(error, hook_file):
    """' (customize_service.py:12)' for the deepest frame in the hook, or a syntax error's line."""
    if isinstance(error, SyntaxError) and error.filename == hook_file and error.lineno:
        return ' (%s:%d)' % (os.path.basename(hook_file), error.lineno)
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == hook_file]
    return ' (%s:%d)' % (os.path.basename(hook_file), frames[-1].lineno) if frames else ''


def hook_class(module):
    """The one class of the hook module that extends BaseService (the most derived, when it builds on its own)."""
    own = [c for _, c in inspect.getmembers(module, inspect.isclass) if issubclass(c, BaseService) and c.__module__ == module.__name__]
    leaves = [c for c in own if not any(o is not c and issubclass(o, c) for o in own)]
    if not leaves:
        raise HookLoadError('customize_service.py defines no class that extends TfServingBaseService '
                            '(from model_service.tfserving_model_service import TfServingBaseService), PTServingBaseService '
                            '(from model_service.pytorch_model_service import PTServingBaseService) or SingleNodeService')
    if len(leaves) > 1:
        raise HookLoadError('customize_service.py defines several hook classes (%s); keep one' % ', '.join(c.__name__ for c in leaves))
    return leaves[0]


def load_service():
    hook_file = os.environ['MA_HOOK_FILE']
    model_path = os.environ.get('MA_MODEL_PATH', os.path.dirname(hook_file))
    model_name = os.environ.get('MA_MODEL_NAME', '')
    # Helper modules beside the hook import as they do on ModelArts.
    sys.path.insert(0, os.path.dirname(hook_file))
    try:
        spec = importlib.util.spec_from_file_location(HOOK_MODULE, hook_file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[HOOK_MODULE] = module
        spec.loader.exec_module(module)
    except Exception as e:
        raise HookLoadError('customize_service.py failed to load: %s: %s%s' % (type(e).__name__, e, hook_line(e, hook_file)))
    cls = hook_class(module)
    try:
        service = cls(model_name, model_path)
    except Exception as e:
        raise HookLoadError('customize_service.py: %s(model_name, model_path) raised %s: %s%s' % (cls.__name__, type(e).__name__, e, hook_line(e, hook_file)))
    # A hook whose __init__ does not call its base's still has these, as on ModelArts.
    for name, value in (('model_name', model_name), ('model_path', model_path)):
        if not hasattr(service, name):
            setattr(service, name, value)
    return service, cls


def request_data(header, blob):
    """ModelArts' shape: multipart -> {field: OrderedDict{file_name: io.BytesIO}}, JSON -> the parsed body."""
    data = header.get('data')
    offset = 0
    for field, name, length in header.get('files') or []:
        content = io.BytesIO(blob[offset:offset + length])
        offset += length
        slot = data.get(field)
        if not isinstance(slot, dict):
            slot = data[field] = collections.OrderedDict()
        slot[name] = content
    return data


def finite(value):
    """NaN and infinities become null, as JSON cannot carry them."""
    if hasattr(value, 'tolist'):
        value = value.tolist()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def encode_result(result):
    try:
        return json.dumps(result, default=plain, allow_nan=False, separators=(',', ':')).encode('utf-8')
    except ValueError:
        return json.dumps(finite(result), default=plain, allow_nan=False, separators=(',', ':')).encode('utf-8')


def error_answer(request_id, stage, error, kind=None):
    kind = kind or ('input' if isinstance(error, InputError) else 'hook')
    message = re.sub(r' at 0x[0-9a-fA-F]+', '', str(error))
    if type(error).__name__ == 'UnidentifiedImageError':
        message = 'an uploaded file is not an image Pillow can read (%s)' % message
    return {
        'type': 'error', 'id': request_id, 'kind': kind, 'stage': stage,
        'exception': type(error).__name__, 'message': message,
        'traceback': ''.join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip(),
    }, b''


def run_hook(service, data):
    """(result, timings): the three stages, or the hook's own inference() when it overrides it
    (hooks that time their stages with MetricsManager do), as the runtime calls inference()."""
    if type(service).inference is BaseService.inference:
        return run_stages(service, data)
    start = time.perf_counter()
    try:
        result = service.inference(data)
    except Exception as e:
        raise StageError('inference', e) from e
    return result, {'inference': (time.perf_counter() - start) * 1000.0}


def reply(request_id, outcome, timings):
    """The answer frame of one request: its result, or the error of the stage that failed."""
    if isinstance(outcome, StageError):
        return error_answer(request_id, outcome.stage, outcome.error)
    try:
        body = encode_result(outcome)
    except (TypeError, ValueError) as e:
        return error_answer(request_id, 'postprocess', TypeError('its result cannot be answered as JSON: %s' % e), 'hook')
    header = {'type': 'result', 'id': request_id, 'timings': timings}
    if outcome is None:
        header['warning'] = 'customize_service.py: _postprocess returned None, so the answer is null; does it end without a return statement?'
    return header, body


def answer(service, header, blob):
    try:
        result, timings = run_hook(service, request_data(header, blob))
    except StageError as e:
        return reply(header.get('id'), e, {})
    return reply(header.get('id'), result, timings)


def answer_together(service, requests):
    """The answers of requests run stage by stage together (ma_hook_together), in order."""
    datas = [request_data(header, blob) for header, blob in requests]
    outcomes = run_together(service, datas, model_channel.current().predict_many)
    return [reply(header.get('id'), outcome, timings) for (header, _), (outcome, timings) in zip(requests, outcomes)]


def profiled(serve):
    """serve() under cProfile when MA_HOOK_PROFILE names a folder (npm run bench:profile -- --hook=python):
    the stats go to <folder>/worker-<pid>.pstats when the worker ends, SIGTERM included."""
    folder = os.environ.get('MA_HOOK_PROFILE')
    if not folder:
        return serve()
    import cProfile
    import signal
    profile = cProfile.Profile()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    profile.enable()
    try:
        return serve()
    finally:
        profile.disable()
        profile.dump_stats(os.path.join(folder, 'worker-%d.pstats' % os.getpid()))


def main():
    channel = Channel(socket.socket(fileno=int(os.environ.get('MA_PROTOCOL_FD', '3'))))
    try:
        service, cls = load_service()
    except Exception as e:
        channel.send({'type': 'fatal', 'message': str(e) if isinstance(e, HookLoadError) else '%s: %s' % (type(e).__name__, e)})
        return 1
    model_channel.install(model_channel.ModelChannel(channel.call_model))
    together = runs_together(service)
    channel.send({'type': 'ready', 'hook_class': cls.__name__, 'python_version': platform.python_version(), 'executable': sys.executable,
                  'together': together})
    return profiled(lambda: serve(channel, service, together))


def serve(channel, service, together):
    """Answers requests until the instance closes the channel: those that came together run together
    when the hook allows it, otherwise one after another, each answer sent as soon as it is ready."""
    while True:
        request = channel.next_request()
        if request is None:
            return 0
        requests = [request] + channel.more_requests()
        if together and len(requests) > 1:
            channel.send_all(answer_together(service, requests))
            continue
        for one in requests:
            channel.send(*answer(service, *one))


if __name__ == '__main__':
    sys.exit(main())
