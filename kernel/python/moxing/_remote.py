"""Object operations on one bucket and key, in the words the file API needs."""
import collections

from moxing import _client, _local
from moxing._client import ClientError, as_os_error
from moxing._paths import folder_key, split, unsplit

Obj = collections.namedtuple('Obj', 'key size mtime')
# Keys per DeleteObjects request (S3's limit).
DELETE_BATCH = 1000


class Location(object):
    """An OBS path taken apart: scheme, bucket, key."""

    def __init__(self, scheme, bucket, key):
        self.scheme, self.bucket, self.key = scheme, bucket, key

    @property
    def path(self):
        return unsplit(self.scheme, self.bucket, self.key)

    def child(self, relative):
        return Location(self.scheme, self.bucket, folder_key(self.key) + relative)

    def folder(self):
        return Location(self.scheme, self.bucket, folder_key(self.key))


def location(path):
    return Location(*split(path))


def call(path, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ClientError as e:
        raise as_os_error(e, path) from e
    except Exception as e:
        if type(e).__name__ in ('EndpointConnectionError', 'ConnectTimeoutError', 'ReadTimeoutError'):
            raise as_os_error(e, path) from e
        raise


def head(loc):
    """The object at exactly this key, or None."""
    if not loc.key or loc.key.endswith('/'):
        return None
    try:
        meta = _client.client().head_object(Bucket=loc.bucket, Key=loc.key)
    except ClientError as e:
        if _client.status_of(e) == 404 or _client.error_code(e) in ('404', 'NoSuchKey', 'NotFound'):
            return None
        raise as_os_error(e, loc.path) from e
    return Obj(loc.key, meta['ContentLength'], meta['LastModified'].timestamp())


def bucket_exists(loc):
    try:
        _client.client().head_bucket(Bucket=loc.bucket)
        return True
    except ClientError as e:
        if _client.status_of(e) == 404:
            return False
        raise as_os_error(e, loc.path) from e


def listing(loc, recursive=True):
    """(objects, sub-folder prefixes) under the folder `loc`; prefixes only when not recursive."""
    prefix = folder_key(loc.key)
    paginator = _client.client().get_paginator('list_objects_v2')
    kwargs = dict(Bucket=loc.bucket, Prefix=prefix)
    if not recursive:
        kwargs['Delimiter'] = '/'
    objects, folders = [], []
    try:
        for page in paginator.paginate(**kwargs):
            objects.extend(Obj(o['Key'], o['Size'], o['LastModified'].timestamp()) for o in page.get('Contents', []))
            folders.extend(p['Prefix'] for p in page.get('CommonPrefixes', []))
    except ClientError as e:
        raise as_os_error(e, loc.path) from e
    return objects, folders


def is_folder(loc):
    """True when any object lies under `key/` (or its folder marker does), or `loc` is the bucket."""
    if not loc.key.strip('/'):
        return bucket_exists(loc)
    page = call(loc.path, _client.client().list_objects_v2, Bucket=loc.bucket, Prefix=folder_key(loc.key), MaxKeys=1)
    return page.get('KeyCount', len(page.get('Contents', []))) > 0


def get_bytes(loc, start=None):
    kwargs = dict(Bucket=loc.bucket, Key=loc.key)
    if start:
        kwargs['Range'] = 'bytes=%d-' % start
    return call(loc.path, _client.client().get_object, **kwargs)['Body']


def put_bytes(loc, data):
    call(loc.path, _client.client().put_object, Bucket=loc.bucket, Key=loc.key, Body=data)


# Below this size one request moves the object: boto3's managed transfers (threads, ranged or
# multipart requests) pay off only for large objects, and cost a transfer manager per call.
SINGLE_REQUEST_BYTES = 8 * 1024 * 1024
CHUNK = 1024 * 1024


def download(loc, local_path, size=None):
    """The object into a local file; `size`, when the caller knows it, spares a ranged download of a small object."""
    if size is None or size >= SINGLE_REQUEST_BYTES:
        return call(loc.path, _client.client().download_file, loc.bucket, loc.key, local_path)
    body = get_bytes(loc)
    with _local.open(local_path, 'wb') as f:
        for chunk in iter(lambda: body.read(CHUNK), b''):
            f.write(chunk)


def upload(local_path, loc):
    if _local.getsize(local_path) >= SINGLE_REQUEST_BYTES:
        return call(loc.path, _client.client().upload_file, local_path, loc.bucket, loc.key)
    with _local.open(local_path, 'rb') as f:
        call(loc.path, _client.client().put_object, Bucket=loc.bucket, Key=loc.key, Body=f)


def copy_object(src, dst):
    source = {'Bucket': src.bucket, 'Key': src.key}
    call(src.path, _client.client().copy, source, dst.bucket, dst.key)


def delete(loc):
    call(loc.path, _client.client().delete_object, Bucket=loc.bucket, Key=loc.key)


def delete_many(loc, keys):
    for i in range(0, len(keys), DELETE_BATCH):
        batch = [{'Key': k} for k in keys[i:i + DELETE_BATCH]]
        answer = call(loc.path, _client.client().delete_objects, Bucket=loc.bucket, Delete={'Objects': batch, 'Quiet': True})
        failed = answer.get('Errors') or []
        if failed:
            raise OSError('%d objects under %s could not be removed: %s' % (len(failed), loc.path, failed[0]))


def multipart(loc):
    """(upload id, part uploader, completer, aborter) of a new multipart upload."""
    c = _client.client()
    upload_id = call(loc.path, c.create_multipart_upload, Bucket=loc.bucket, Key=loc.key)['UploadId']
    parts = []

    def send(number, data):
        etag = call(loc.path, c.upload_part, Bucket=loc.bucket, Key=loc.key, UploadId=upload_id, PartNumber=number, Body=data)['ETag']
        parts.append({'ETag': etag, 'PartNumber': number})

    def complete():
        call(loc.path, c.complete_multipart_upload, Bucket=loc.bucket, Key=loc.key, UploadId=upload_id, MultipartUpload={'Parts': parts})

    def abort():
        call(loc.path, c.abort_multipart_upload, Bucket=loc.bucket, Key=loc.key, UploadId=upload_id)

    return send, complete, abort
