"""`mox.file.File`: OBS objects as streamed Python file objects, text or binary.

Reading streams the object's body (a seek starts a ranged GET at the new place); writing
sends parts of PART_SIZE as a multipart upload while the caller writes, so neither side
holds a whole large object in memory. Local paths are opened with the built-in open().
"""
import io

from moxing import _local, _remote
from moxing._paths import is_remote

PART_SIZE = 8 * 1024 * 1024
READ_BUFFER = 1024 * 1024


class RemoteReader(io.RawIOBase):

    def __init__(self, loc, size):
        self.loc, self.size, self.name = loc, size, loc.path
        self.pos = 0
        self._body = None

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self.pos

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.size}[whence]
        target = max(0, base + offset)
        if target != self.pos:
            self._drop_body()
            self.pos = target
        return self.pos

    def readinto(self, buffer):
        if self.pos >= self.size:
            return 0
        if self._body is None:
            self._body = _remote.get_bytes(self.loc, self.pos)
        data = self._body.read(len(buffer))
        buffer[:len(data)] = data
        self.pos += len(data)
        return len(data)

    def _drop_body(self):
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self):
        self._drop_body()
        super(RemoteReader, self).close()


class RemoteWriter(io.RawIOBase):
    """Bytes to one object: a single PUT when it stays under PART_SIZE, else a multipart upload."""

    def __init__(self, loc, initial=None):
        self.loc, self.name = loc, loc.path
        self._pending = bytearray()
        self._multipart = None
        self._number = 0
        if initial is not None:
            for chunk in iter(lambda: initial.read(PART_SIZE), b''):
                self.write(chunk)

    def writable(self):
        return True

    def write(self, data):
        self._pending += data
        while len(self._pending) >= PART_SIZE:
            self._send(bytes(self._pending[:PART_SIZE]))
            del self._pending[:PART_SIZE]
        return len(data)

    def _send(self, part):
        if self._multipart is None:
            self._multipart = _remote.multipart(self.loc)
        self._number += 1
        self._multipart[0](self._number, part)

    def close(self):
        if self.closed:
            return
        try:
            if self._multipart is None:
                _remote.put_bytes(self.loc, bytes(self._pending))
            else:
                if self._pending:
                    self._send(bytes(self._pending))
                self._multipart[1]()
        except BaseException:
            if self._multipart is not None:
                self._multipart[2]()
            raise
        finally:
            super(RemoteWriter, self).close()


def _parse_mode(mode):
    kind = mode.replace('b', '').replace('t', '').replace('+', '')
    if kind not in ('r', 'w', 'a') or '+' in mode:
        raise ValueError("mox.file.File supports the modes r, w and a (with b for bytes), not %r" % mode)
    return kind, 'b' in mode


def File(path, mode='r', encoding=None, **_ignored):
    """open() for OBS paths and local ones: mox.file.File('obs://bucket/a.txt', 'r')."""
    if not is_remote(path):
        return _local.open(path, mode, encoding=encoding) if 'b' not in mode else _local.open(path, mode)
    kind, binary = _parse_mode(mode)
    loc = _remote.location(path)
    if kind == 'r':
        found = _remote.head(loc)
        if found is None:
            raise FileNotFoundError(2, 'No such file or directory', path)
        raw = RemoteReader(loc, found.size)
        stream = io.BufferedReader(raw, READ_BUFFER)
    else:
        initial = None
        if kind == 'a' and _remote.head(loc) is not None:
            initial = _remote.get_bytes(loc)
        stream = io.BufferedWriter(RemoteWriter(loc, initial), READ_BUFFER)
    return stream if binary else io.TextIOWrapper(stream, encoding=encoding or 'utf-8')
