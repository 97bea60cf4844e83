"""A small TF Serving REST client (http.client, one kept-alive connection per process)."""
import base64
import http.client
import json
import os
from urllib.parse import quote, urlsplit

from model_service.model_service import InputError

TIMEOUT_S = 600
TOKEN_HEADER = 'X-MA-Worker-Token'


class TfServingError(Exception):
    """The model server answered an error that is not about the inputs."""

    def __init__(self, status, message):
        super(TfServingError, self).__init__('TF Serving answered %s: %s' % (status, message))
        self.status = status


def plain(value):
    """JSON for what hooks hand over: numpy arrays and scalars as lists and numbers, bytes as {"b64": ...}."""
    if hasattr(value, 'tolist'):
        return value.tolist()
    if isinstance(value, (bytes, bytearray)):
        return {'b64': base64.b64encode(bytes(value)).decode('ascii')}
    if isinstance(value, (set, frozenset)):
        return list(value)
    raise TypeError('%s cannot be sent to the model (give numpy arrays, lists or numbers)' % type(value).__name__)


class TfServingClient(object):

    def __init__(self, url, model, token=None):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port
        self.model = model
        self.token = token
        self._conn = None
        self._output_names = None

    def predict(self, inputs):
        """{output name: nested list}; inputs is {input name: value}, or one value for a one-input model."""
        status, answer = self._call('POST', '/v1/models/%s:predict' % quote(self.model, safe=''), {'inputs': inputs})
        if status == 400:
            raise InputError('the model did not accept the inputs: %s' % answer.get('error'))
        if status != 200:
            raise TfServingError(status, answer.get('error'))
        outputs = answer['outputs']
        if isinstance(outputs, dict):
            return outputs
        # TF Serving answers a one-output model with the bare value.
        return {self.output_names()[0]: outputs}

    def metadata(self):
        status, answer = self._call('GET', '/v1/models/%s/metadata' % quote(self.model, safe=''))
        if status != 200:
            raise TfServingError(status, answer.get('error'))
        return answer

    def output_names(self):
        if self._output_names is None:
            signatures = self.metadata()['metadata']['signature_def']['signature_def']
            # A SavedModel without serving_default answers with its first signature (as ModelArts' base service picks it).
            default = signatures.get('serving_default') or signatures[next(iter(signatures))]
            self._output_names = list(default['outputs'])
        return self._output_names

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body, default=plain, separators=(',', ':')).encode('utf-8')
        headers = {'Content-Type': 'application/json'}
        if self.token:
            headers[TOKEN_HEADER] = self.token
        for attempt in (1, 2):
            conn = self._conn or http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                raw = response.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                self._conn = None
                # A kept-alive connection the server closed meanwhile: once more on a new one.
                if attempt == 2:
                    raise
                continue
            self._conn = None if response.will_close else conn
            return response.status, json.loads(raw.decode('utf-8'))


_default = None


def default_client():
    """The client of this worker's instance, from the environment the platform sets."""
    global _default
    if _default is None:
        url = os.environ.get('MA_TF_SERVING_URL')
        if not url:
            raise TfServingError(503, 'no model server is configured for this process (MA_TF_SERVING_URL is not set)')
        _default = TfServingClient(url, os.environ.get('MA_TF_SERVING_MODEL', ''), os.environ.get('MA_TF_SERVING_TOKEN'))
    return _default
