"""mox.file.shift('os', 'mox'): open() and the os/os.path/shutil/glob calls of Huawei's mapping
table take OBS paths too, from then on; shift('mox', 'os') puts the originals back. Local
paths still go to the originals, so nothing changes for them."""
import builtins
import glob as glob_module
import os
import shutil

from moxing import _local
from moxing._paths import is_remote

_active = False


def _either_remote(*paths):
    return any(is_remote(p) for p in paths if isinstance(p, str))


def _patches():
    from moxing import file as mox

    def routed(local, remote):
        def call(path, *args, **kwargs):
            return remote(path) if is_remote(path) else local(path, *args, **kwargs)
        return call

    def makedirs(name, mode=0o777, exist_ok=False):
        return mox.make_dirs(name) if is_remote(name) else _local.makedirs(name, mode, exist_ok)

    def two(local, remote):
        def call(src, dst, *args, **kwargs):
            return remote(src, dst) if _either_remote(src, dst) else local(src, dst, *args, **kwargs)
        return call

    def rmtree(path, *args, **kwargs):
        return mox.remove(path, recursive=True) if is_remote(path) else _local.rmtree(path, *args, **kwargs)

    def open_(file, mode='r', *args, **kwargs):
        return mox.File(file, mode) if is_remote(file) else _local.open(file, mode, *args, **kwargs)

    def listdir(path='.'):
        return mox.list_directory(path) if is_remote(path) else _local.listdir(path)

    def scandir(path='.'):
        return mox.scan_dir(path) if is_remote(path) else _local.scandir(path)

    def walk(top, *args, **kwargs):
        return mox.walk(top, *args, **kwargs) if is_remote(top) else _local.walk(top, *args, **kwargs)

    return [
        (builtins, 'open', open_, _local.open),
        (os, 'listdir', listdir, _local.listdir),
        (os, 'makedirs', makedirs, _local.makedirs),
        (os, 'mkdir', routed(_local.mkdir, mox.mk_dir), _local.mkdir),
        (os.path, 'exists', routed(_local.exists, mox.exists), _local.exists),
        (os.path, 'getsize', routed(_local.getsize, mox.get_size), _local.getsize),
        (os.path, 'isdir', routed(_local.isdir, mox.is_directory), _local.isdir),
        (os, 'remove', routed(_local.remove, mox.remove), _local.remove),
        (os, 'rename', two(_local.rename, mox.rename), _local.rename),
        (os, 'scandir', scandir, _local.scandir),
        (os, 'stat', routed(_local.stat, mox.stat), _local.stat),
        (os, 'walk', walk, _local.walk),
        (glob_module, 'glob', routed(_local.glob_glob, mox.glob), _local.glob_glob),
        (shutil, 'copyfile', two(_local.copyfile, mox.copy), _local.copyfile),
        (shutil, 'copytree', two(_local.copytree, mox.copy_parallel), _local.copytree),
        (shutil, 'rmtree', rmtree, _local.rmtree),
    ]


def shift(src='os', dst='mox'):
    """shift('os', 'mox') routes OBS paths of the local APIs to mox.file; shift('mox', 'os') undoes it."""
    global _active
    pair = (str(src).lower(), str(dst).lower())
    if pair not in (('os', 'mox'), ('mox', 'os')):
        raise ValueError("mox.file.shift takes ('os', 'mox') or ('mox', 'os'), not %r" % (pair,))
    on = pair == ('os', 'mox')
    for owner, name, patched, original in _patches():
        setattr(owner, name, patched if on else original)
    _active = on
