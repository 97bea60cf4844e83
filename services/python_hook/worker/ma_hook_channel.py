"""The protocol socket of a Python worker (fd MA_PROTOCOL_FD): frames of a big-endian u32 length,
a u32 header length, a JSON header, raw bytes — services/python_hook/frames.ts is the instance's
side. Requests come in, answers go out; a model call (_inference) sends its frame and waits for the
instance's answer on the same socket, keeping requests that arrive meanwhile for later.
"""
import collections
import json
import socket
import struct
import threading

from model_service.tf_serving_client import TfServingError

PREFIX = struct.Struct('>II')
# Bytes asked of the socket at a time.
RECV_BYTES = 256 * 1024


def frame(header, blob=b''):
    head = json.dumps(header, separators=(',', ':')).encode('utf-8')
    return PREFIX.pack(len(head) + len(blob), len(head)) + head + blob


class Channel(object):
    """The protocol socket: requests come in and answers go out; a model call (_inference) sends its
    frame and waits for the instance's answer on the same socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = bytearray()
        self.closed = False
        self.early = collections.deque()
        self.calls = 0
        # A hook that calls the model from threads of its own gets its calls one after another.
        self.model_lock = threading.Lock()

    def send(self, header, blob=b''):
        self.sock.sendall(frame(header, blob))

    def send_all(self, answers):
        """Several answers in one write: the instance reads them in one wake-up."""
        self.sock.sendall(b''.join(frame(header, blob) for header, blob in answers))

    def next_request(self):
        return self.early.popleft() if self.early else self.read_frame()

    def more_requests(self):
        """The requests that have already arrived, without waiting for any."""
        got = list(self.early)
        self.early.clear()
        if not self.closed:
            self._receive(wait=False)
        while True:
            request = self._buffered_frame()
            if request is None:
                return got
            got.append(request)

    def read_frame(self):
        """The next frame, waiting for it; None once the instance has closed the channel."""
        while True:
            got = self._buffered_frame()
            if got is not None or self.closed or not self._receive(wait=True):
                return got

    def _receive(self, wait):
        try:
            chunk = self.sock.recv(RECV_BYTES, 0 if wait else socket.MSG_DONTWAIT)
        except BlockingIOError:
            return True
        if not chunk:
            self.closed = True
            return False
        self.buffer += chunk
        return True

    def _buffered_frame(self):
        if len(self.buffer) < PREFIX.size:
            return None
        total, head_length = PREFIX.unpack_from(self.buffer)
        end = PREFIX.size + total
        if len(self.buffer) < end:
            return None
        body = bytes(self.buffer[PREFIX.size:end])
        del self.buffer[:end]
        return json.loads(body[:head_length].decode('utf-8')), memoryview(body)[head_length:]

    def call_model(self, header, blob):
        with self.model_lock:
            self.calls += 1
            header['type'], header['id'] = 'model', self.calls
            self.send(header, blob)
            while True:
                got = self.read_frame()
                if got is None:
                    raise TfServingError(503, 'the instance closed this worker\'s channel')
                if got[0].get('type') == 'model-answer':
                    return got
                # A request sent while this one waits for the model: answered next.
                self.early.append(got)
