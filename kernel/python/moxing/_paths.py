"""OBS paths: `obs://bucket/key` and `s3://bucket/key` (also `obs:/` + `/bucket/key`, as code
builds them); anything else is a local path."""
import os

SCHEMES = ('obs://', 's3://')


def is_remote(path):
    return isinstance(path, str) and path[:6].lower().startswith(SCHEMES)


def fspath(path):
    """A path as a string (os.PathLike accepted, as open() accepts it)."""
    return os.fspath(path)


def split(path):
    """(scheme, bucket, key) of an OBS path; the key keeps a trailing '/'."""
    scheme, rest = path.split('://', 1)
    rest = rest.lstrip('/')
    bucket, _, key = rest.partition('/')
    if not bucket:
        raise ValueError('%s names no bucket; OBS paths look like obs://bucket/folder/file' % path)
    while '//' in key:
        key = key.replace('//', '/')
    return scheme.lower(), bucket, key


def unsplit(scheme, bucket, key):
    return '%s://%s/%s' % (scheme, bucket, key)


def folder_key(key):
    """The key prefix of a folder: '' for the bucket, else ending in '/'."""
    return key if key == '' or key.endswith('/') else key + '/'


def join(base, relative):
    """`base` (a folder, OBS or local) joined with a '/'-separated relative path."""
    if is_remote(base):
        return base.rstrip('/') + '/' + relative if relative else base
    return os.path.join(base, *relative.split('/')) if relative else base


def relative_to(key, prefix):
    return key[len(prefix):]
