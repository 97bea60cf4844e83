"""The S3 client moxing talks to OBS with: boto3, configured from the job's environment
(S3_ENDPOINT, S3_USE_HTTPS, S3_VERIFY_SSL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_REGION) or from `mox.file.set_auth`."""
import os
import sys
import threading

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError, EndpointConnectionError
except ImportError as e:  # pragma: no cover - depends on the machine
    raise ImportError(
        'moxing needs boto3, which this Python (%s) cannot import (%s); install it with '
        'apt-get install python3-boto3 (Debian/Ubuntu) or pip install boto3' % (sys.executable, e)) from e

# Connections per client: copy_parallel's threads share one client.
MAX_POOL = 64
_lock = threading.Lock()
_auth = {}
_client = None


def _flag(value, default):
    if value is None or value == '':
        return default
    return str(value).strip().lower() in ('1', 'true', 'yes', 'on')


def endpoint_url():
    """http(s)://host[:port] of the object store."""
    server = _auth.get('server') or os.environ.get('S3_ENDPOINT') or os.environ.get('OBS_ENDPOINT') or ''
    if not server:
        raise OSError('moxing does not know the object store: S3_ENDPOINT is not set '
                      '(the platform sets it in every job); call mox.file.set_auth(server=..., port=...)')
    if '://' not in server:
        secure = _flag(_auth.get('is_secure'), _flag(os.environ.get('S3_USE_HTTPS'), False))
        server = ('https://' if secure else 'http://') + server
    port = _auth.get('port')
    if port and server.count(':') < 2:
        server = '%s:%s' % (server.rstrip('/'), port)
    return server.rstrip('/')


def _config():
    options = dict(s3={'addressing_style': 'path'}, retries={'max_attempts': 4, 'mode': 'standard'},
                   max_pool_connections=MAX_POOL, signature_version='s3v4')
    try:
        # Newer botocore sends CRC checksums and aws-chunked bodies unless asked not to.
        return Config(request_checksum_calculation='when_required', response_checksum_validation='when_required', **options)
    except TypeError:
        return Config(**options)


def client():
    """The shared boto3 client (thread-safe), made on first use."""
    global _client
    with _lock:
        if _client is None:
            verify = _flag(_auth.get('ssl_verify'), _flag(os.environ.get('S3_VERIFY_SSL'), True))
            _client = boto3.session.Session().client(
                's3',
                endpoint_url=endpoint_url(),
                aws_access_key_id=_auth.get('ak') or os.environ.get('AWS_ACCESS_KEY_ID') or os.environ.get('ACCESS_KEY_ID'),
                aws_secret_access_key=_auth.get('sk') or os.environ.get('AWS_SECRET_ACCESS_KEY') or os.environ.get('SECRET_ACCESS_KEY'),
                region_name=os.environ.get('AWS_REGION') or os.environ.get('AWS_DEFAULT_REGION') or 'us-east-1',
                verify=verify,
                config=_config(),
            )
        return _client


def set_auth(ak=None, sk=None, server=None, port=None, is_secure=None, ssl_verify=None, **_ignored):
    """mox.file.set_auth: another store or other keys for every later call."""
    global _client
    given = dict(ak=ak, sk=sk, server=server, port=port, is_secure=is_secure, ssl_verify=ssl_verify)
    with _lock:
        _auth.update({k: v for k, v in given.items() if v is not None})
        _client = None


def error_code(error):
    return error.response.get('Error', {}).get('Code', '') if isinstance(error, ClientError) else ''


def status_of(error):
    return error.response.get('ResponseMetadata', {}).get('HTTPStatusCode', 0) if isinstance(error, ClientError) else 0


def as_os_error(error, path):
    """A boto3 failure as the OSError the same call on a local path would raise."""
    if isinstance(error, EndpointConnectionError):
        return ConnectionError('the object store at %s cannot be reached (%s) for %s' % (endpoint_url(), error, path))
    code, status = error_code(error), status_of(error)
    if status == 404 or code in ('NoSuchKey', 'NoSuchBucket', 'NotFound', '404'):
        return FileNotFoundError(2, 'No such file or directory (%s)' % (code or 'not found'), path)
    if status == 403 or code == 'AccessDenied':
        return PermissionError(13, 'Access denied by the object store (%s); check the keys or mox.file.set_auth' % code, path)
    return OSError('%s: %s' % (path, error))


__all__ = ['client', 'set_auth', 'endpoint_url', 'as_os_error', 'ClientError']
