"""mox.file.copy (one file, any direction) and copy_parallel (a folder's contents, on threads)."""
import concurrent.futures
import os

from moxing import _local, _remote, _tree
from moxing._paths import fspath, is_remote, join

DEFAULT_THREADS = 16


def _make_parent(path):
    parent = os.path.dirname(path)
    if parent:
        _local.makedirs(parent, exist_ok=True)


def _copy_file(src, dst, size=None):
    if is_remote(src) and is_remote(dst):
        return _remote.copy_object(_remote.location(src), _remote.location(dst))
    if is_remote(dst):
        return _remote.upload(src, _remote.location(dst))
    _make_parent(dst)
    if is_remote(src):
        return _remote.download(_remote.location(src), dst, size)
    _local.copyfile(src, dst)


def _is_file(path):
    if is_remote(path):
        return _remote.head(_remote.location(path)) is not None
    return _local.isfile(path)


def copy(src_url, dst_url, **_ignored):
    """One file from src_url to dst_url: local or OBS on either side (shutil.copyfile)."""
    src, dst = fspath(src_url), fspath(dst_url)
    if not _is_file(src):
        from moxing.file import is_directory
        if is_directory(src):
            raise IsADirectoryError(21, 'Is a directory; mox.file.copy copies one file, copy_parallel copies a folder', src)
        raise FileNotFoundError(2, 'No such file or directory', src)
    _copy_file(src, dst)


def _folder_contents(src):
    """({relative file path: size or None}, relative folder paths) below a folder."""
    if is_remote(src):
        files, folders = _tree.relative_entries(_remote.location(src))
        return {rel: o.size for rel, o in sorted(files.items())}, sorted(folders)
    if not _local.isdir(src):
        return {}, []
    files, folders = {}, []
    for root, dirs, names in _local.walk(src):
        rel = os.path.relpath(root, src).replace(os.sep, '/')
        prefix = '' if rel == '.' else rel + '/'
        folders += [prefix + d for d in dirs]
        files.update((prefix + n, None) for n in names)
    return dict(sorted(files.items())), sorted(folders)


def copy_parallel(src_url, dst_url, file_list=None, threads=DEFAULT_THREADS, is_processing=True, use_queue=True, **_ignored):
    """Copies a folder's contents into dst_url (shutil.copytree), `threads` files at a time; a
    single file is copied as copy() would. `file_list` limits the copy to those relative paths;
    `is_processing` and `use_queue` are accepted (the work runs on threads here)."""
    src, dst = fspath(src_url), fspath(dst_url)
    if _is_file(src):
        return _copy_file(src, dst)
    files, folders = _folder_contents(src)
    if file_list is not None:
        wanted = set(f.replace(os.sep, '/').lstrip('/') for f in file_list)
        files, folders = {f: s for f, s in files.items() if f in wanted}, []
    if not files and not folders:
        raise FileNotFoundError('No files to copy: %s is empty or does not exist' % src)
    if not is_remote(dst):
        _local.makedirs(dst, exist_ok=True)
        for folder in folders:
            _local.makedirs(join(dst, folder), exist_ok=True)
    workers = max(1, min(int(threads or 1), len(files) or 1))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        done = [pool.submit(_copy_file, join(src, rel), join(dst, rel), size) for rel, size in files.items()]
        for future in concurrent.futures.as_completed(done):
            future.result()
