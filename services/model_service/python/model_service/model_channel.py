"""The model call of a Python worker: TfServingBaseService._inference asks the instance that runs
the model over the worker's own protocol socket (the one its requests come on), not over HTTP.

Numeric numpy arrays travel as their raw bytes with dtype and shape; anything else as JSON, as
the TF Serving REST API would take it. The answer is {output name: nested lists}, and errors are
the REST API's: the model refusing the inputs is an InputError (a 400 for the client), anything
else a TfServingError. Hooks that call the REST API themselves (default_client()) still can.
"""
import json

from model_service.model_service import InputError
from model_service.tf_serving_client import TfServingError, plain

# numpy dtype -> the name the instance reads the bytes as (little-endian, as numpy lays them out here).
RAW_DTYPES = {'float32': 'float32', 'float64': 'float64', 'int32': 'int32', 'int16': 'int16', 'uint16': 'uint16', 'uint8': 'uint8'}
# Integers beyond this are not exact as JavaScript numbers: they go as JSON, as they did over HTTP.
EXACT_INT = 2 ** 53

_channel = None


def current():
    """The channel of this process, when it is a platform worker; None elsewhere."""
    return _channel


def install(channel):
    global _channel
    _channel = channel


def raw_tensor(value):
    """(dtype, shape, bytes) for a numeric numpy array or scalar, else None."""
    dtype = getattr(value, 'dtype', None)
    if dtype is None or not hasattr(value, 'tobytes') or not hasattr(value, 'shape'):
        return None
    name = getattr(dtype, 'name', '')
    if getattr(dtype, 'byteorder', '=') == '>':
        return None
    if name == 'int64' and value.size and abs(value).max() < EXACT_INT:
        value, name = value.astype('float64'), 'float64'
    if name not in RAW_DTYPES:
        return None
    return RAW_DTYPES[name], list(value.shape), value.tobytes()


def encode_inputs(inputs):
    """The header fields and the bytes of a model call: JSON values and raw tensors by input name
    (name None: the one value of a one-input model)."""
    named = isinstance(inputs, dict)
    values = inputs if named else {None: inputs}
    json_values, tensors, blobs = {}, [], []
    for name, value in values.items():
        tensor = raw_tensor(value)
        if tensor is None:
            json_values['' if name is None else name] = value
        else:
            tensors.append([name, tensor[0], tensor[1], len(tensor[2])])
            blobs.append(tensor[2])
    header = {'named': named, 'json': json_values, 'tensors': tensors}
    return header, b''.join(blobs)


class ModelChannel(object):
    """Model calls over the worker's socket: call(header, blob) sends a frame of calls and returns the answer's."""

    def __init__(self, call):
        self._call = call

    def predict(self, inputs):
        outcome = self.predict_many([inputs])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def predict_many(self, inputs_list):
        """One frame for several calls (the requests a worker runs together), which the instance
        answers together; each call's outputs, or the exception _inference raises for it."""
        outcomes = [None] * len(inputs_list)
        calls, blobs, sent = [], [], []
        for i, inputs in enumerate(inputs_list):
            header, blob = encode_inputs(inputs)
            try:
                # The JSON part as the REST client sent it (numpy values inside lists included).
                header['json'] = json.dumps(header['json'], default=plain, allow_nan=False, separators=(',', ':'))
            except ValueError:
                outcomes[i] = InputError('the model did not accept the inputs: they hold NaN or infinity, which JSON cannot carry')
                continue
            calls.append(header)
            blobs.append(blob)
            sent.append(i)
        if not calls:
            return outcomes
        answer, body = self._call({'calls': calls}, b''.join(blobs))
        results = answer.get('answers') or []
        if len(results) != len(calls):
            raise TfServingError(500, 'the instance answered %d of %d model calls' % (len(results), len(calls)))
        offset = 0
        for i, result in zip(sent, results):
            length = result.get('bytes', 0)
            outcomes[i] = outcome_of(result, body[offset:offset + length])
            offset += length
        return outcomes


def outcome_of(result, body):
    status = result.get('status')
    if status == 200:
        return json.loads(bytes(body).decode('utf-8'))
    if status == 400:
        return InputError('the model did not accept the inputs: %s' % result.get('error'))
    return TfServingError(status, result.get('error'))
