"""Folders of an object store, which has only keys: listings, walks, globs and directory
entries built from one LIST of the keys under a prefix."""
import fnmatch
import os
import stat as stat_module

from moxing import _remote
from moxing._paths import folder_key

GLOB_CHARS = ('*', '?', '[')


def relative_entries(loc):
    """(files {relative path: Obj}, folders {relative path}) under the folder `loc`, recursively.

    Folder markers (keys ending in '/', as consoles create folders) count as folders, and every
    folder on the way to a file is one too."""
    prefix = folder_key(loc.key)
    objects, _ = _remote.listing(loc, recursive=True)
    files, folders = {}, set()
    for o in objects:
        rel = o.key[len(prefix):]
        if not rel:
            continue
        if rel.endswith('/'):
            rel = rel.rstrip('/')
        else:
            files[rel] = o
        parts = rel.split('/')
        for depth in range(1, len(parts) if rel in files else len(parts) + 1):
            folders.add('/'.join(parts[:depth]))
    return files, folders


def list_directory(loc, recursive):
    if recursive:
        files, folders = relative_entries(loc)
        return sorted(set(files) | folders)
    prefix = folder_key(loc.key)
    objects, prefixes = _remote.listing(loc, recursive=False)
    names = [o.key[len(prefix):] for o in objects if o.key != prefix]
    names += [p[len(prefix):].rstrip('/') for p in prefixes]
    return sorted(set(n for n in names if n))


def walk(loc, top, topdown=True):
    """os.walk over an OBS folder: (folder path, sub-folder names, file names)."""
    files, folders = relative_entries(loc)
    children = {'': ([], [])}
    for folder in sorted(folders):
        children.setdefault(folder, ([], []))
        parent, _, name = folder.rpartition('/')
        children.setdefault(parent, ([], []))[0].append(name)
    for rel in sorted(files):
        parent, _, name = rel.rpartition('/')
        children.setdefault(parent, ([], []))[1].append(name)
    top = top.rstrip('/')

    def visit(rel):
        dirs, names = children.get(rel, ([], []))
        here = top + ('/' + rel if rel else '')
        if topdown:
            yield here, dirs, names
        for d in list(dirs):
            for item in visit(rel + '/' + d if rel else d):
                yield item
        if not topdown:
            yield here, dirs, names

    return visit('')


def glob(loc, pattern_key, make_path):
    """Keys and folders matching a glob pattern, segment by segment ('*' stays inside one)."""
    segments = pattern_key.split('/')
    fixed = []
    for s in segments:
        if any(c in s for c in GLOB_CHARS):
            break
        fixed.append(s)
    base = '/'.join(fixed)
    files, folders = relative_entries(_remote.Location(loc.scheme, loc.bucket, base))
    wanted = segments[len(fixed):]
    found = []
    for rel in set(files) | folders:
        parts = rel.split('/')
        if len(parts) == len(wanted) and all(fnmatch.fnmatchcase(p, w) for p, w in zip(parts, wanted)):
            found.append(make_path(folder_key(base) + rel))
    return sorted(found)


def file_stat(size, mtime, is_dir):
    mode = (stat_module.S_IFDIR | 0o755) if is_dir else (stat_module.S_IFREG | 0o644)
    t = int(mtime or 0)
    return os.stat_result((mode, 0, 0, 1, 0, 0, 0 if is_dir else size, t, t, t))


class Entry(object):
    """An os.DirEntry for an OBS key."""

    def __init__(self, name, path, is_dir, size=0, mtime=0):
        self.name, self.path = name, path
        self._is_dir, self._size, self._mtime = is_dir, size, mtime

    def is_dir(self, follow_symlinks=True):
        return self._is_dir

    def is_file(self, follow_symlinks=True):
        return not self._is_dir

    def is_symlink(self):
        return False

    def inode(self):
        return 0

    def stat(self, follow_symlinks=True):
        return file_stat(self._size, self._mtime, self._is_dir)

    def __fspath__(self):
        return self.path

    def __repr__(self):
        return '<DirEntry %r>' % self.name


class ScanIterator(object):
    """What os.scandir returns: an iterator that is also a context manager."""

    def __init__(self, entries):
        self._it = iter(entries)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._it)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._it = iter(())


def scan_dir(loc, make_path):
    prefix = folder_key(loc.key)
    objects, prefixes = _remote.listing(loc, recursive=False)
    entries = [Entry(p[len(prefix):].rstrip('/'), make_path(p.rstrip('/')), True) for p in prefixes]
    entries += [Entry(o.key[len(prefix):], make_path(o.key), False, o.size, o.mtime) for o in objects if o.key != prefix]
    return ScanIterator(sorted(entries, key=lambda e: e.name))
