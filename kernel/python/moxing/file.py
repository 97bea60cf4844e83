"""mox.file: ModelArts' file API, for OBS paths (obs://, s3://) and local paths alike.

The calls follow Huawei's "Mapping Between mox.file and Local APIs": each does for an OBS
path what its local twin (os.listdir, os.makedirs, shutil.copytree …) does for a local one.
"""
import os

from moxing import _client, _local, _remote, _tree
from moxing._paths import fspath, is_remote, unsplit
from moxing._streams import File  # noqa: F401 (part of the API)
from moxing._shift import shift  # noqa: F401 (part of the API)
from moxing._copy import copy, copy_parallel  # noqa: F401 (part of the API)

set_auth = _client.set_auth


_loc = _remote.location


def _maker(loc):
    return lambda key: unsplit(loc.scheme, loc.bucket, key)


def exists(path):
    path = fspath(path)
    if not is_remote(path):
        return _local.exists(path)
    loc = _loc(path)
    return _remote.head(loc) is not None or _remote.is_folder(loc)


def is_directory(path):
    path = fspath(path)
    return _remote.is_folder(_loc(path)) if is_remote(path) else _local.isdir(path)


def list_directory(path, recursive=False):
    """Names in a folder (os.listdir); with recursive, every file and folder below it as relative paths."""
    path = fspath(path)
    if is_remote(path):
        return _tree.list_directory(_loc(path), recursive)
    if not recursive:
        return sorted(_local.listdir(path))
    found = []
    for root, dirs, files in _local.walk(path):
        rel = os.path.relpath(root, path)
        found += [name if rel == '.' else '%s/%s' % (rel.replace(os.sep, '/'), name) for name in dirs + files]
    return sorted(found)


def make_dirs(path):
    """os.makedirs(path, exist_ok=True); on OBS a folder marker (`key/`), as OBS' console makes folders."""
    path = fspath(path)
    if not is_remote(path):
        return _local.makedirs(path, exist_ok=True)
    loc = _loc(path)
    if loc.key.strip('/') and not _remote.is_folder(loc):
        _remote.put_bytes(loc.folder(), b'')


def mk_dir(path):
    path = fspath(path)
    return make_dirs(path) if is_remote(path) else _local.mkdir(path)


def get_size(path, recursive=False):
    """A file's size; a folder's is 0 unless recursive, then the sum of its files."""
    path = fspath(path)
    if is_remote(path):
        loc = _loc(path)
        found = _remote.head(loc)
        if found is not None:
            return found.size
        if not _remote.is_folder(loc):
            raise FileNotFoundError(2, 'No such file or directory', path)
        return sum(o.size for o in _tree.relative_entries(loc)[0].values()) if recursive else 0
    if _local.isfile(path):
        return _local.getsize(path)
    if not _local.isdir(path):
        raise FileNotFoundError(2, 'No such file or directory', path)
    if not recursive:
        return 0
    return sum(_local.getsize(os.path.join(root, f)) for root, _, files in _local.walk(path) for f in files)


def remove(path, recursive=False):
    """os.remove for a file; a folder needs recursive=True (shutil.rmtree)."""
    path = fspath(path)
    if not is_remote(path):
        if _local.isdir(path) and not _local.isfile(path):
            if not recursive:
                raise IsADirectoryError(21, 'Is a directory (pass recursive=True to remove a folder)', path)
            return _local.rmtree(path)
        return _local.remove(path)
    loc = _loc(path)
    if _remote.head(loc) is not None:
        return _remote.delete(loc)
    if not _remote.is_folder(loc):
        raise FileNotFoundError(2, 'No such file or directory', path)
    if not recursive:
        raise IsADirectoryError(21, 'Is a directory (pass recursive=True to remove a folder)', path)
    objects, _ = _remote.listing(loc, recursive=True)
    _remote.delete_many(loc, [o.key for o in objects])


def rename(src, dst):
    """Moves a file or a folder; across stores it is a copy, then a removal."""
    src, dst = fspath(src), fspath(dst)
    if not is_remote(src) and not is_remote(dst):
        return _local.rename(src, dst)
    if is_directory(src) and not (is_remote(src) and _remote.head(_loc(src)) is not None):
        copy_parallel(src, dst)
        return remove(src, recursive=True)
    copy(src, dst)
    remove(src)


def stat(path):
    """os.stat: st_size, st_mtime (GMT, as on ModelArts) and st_mode (folder or file)."""
    path = fspath(path)
    if not is_remote(path):
        return _local.stat(path)
    loc = _loc(path)
    found = _remote.head(loc)
    if found is not None:
        return _tree.file_stat(found.size, found.mtime, False)
    if _remote.is_folder(loc):
        return _tree.file_stat(0, 0, True)
    raise FileNotFoundError(2, 'No such file or directory', path)


def scan_dir(path):
    path = fspath(path)
    if not is_remote(path):
        return _local.scandir(path)
    loc = _loc(path)
    return _tree.scan_dir(loc, _maker(loc))


def walk(top, topdown=True, onerror=None, followlinks=False):
    top = fspath(top)
    if not is_remote(top):
        return _local.walk(top, topdown, onerror, followlinks)
    return _tree.walk(_loc(top), top, topdown)


def glob(pattern):
    pattern = fspath(pattern)
    if not is_remote(pattern):
        return sorted(_local.glob_glob(pattern))
    loc = _loc(pattern)
    return _tree.glob(loc, loc.key, _maker(loc))


def read(path, binary=False):
    """The whole content: str, or bytes with binary=True."""
    with File(fspath(path), 'rb' if binary else 'r') as f:
        return f.read()


def write(path, content, binary=False):
    with File(fspath(path), 'wb' if binary or isinstance(content, bytes) else 'w') as f:
        f.write(content)


def append(path, content, binary=False):
    with File(fspath(path), 'ab' if binary or isinstance(content, bytes) else 'a') as f:
        f.write(content)


__all__ = ['File', 'append', 'copy', 'copy_parallel', 'exists', 'get_size', 'glob', 'is_directory',
           'list_directory', 'make_dirs', 'mk_dir', 'read', 'remove', 'rename', 'scan_dir', 'set_auth', 'shift',
           'stat', 'walk', 'write']
