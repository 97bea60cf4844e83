"""moxing as ModelArts Local provides it: `mox.file`, ModelArts' file API, on the platform's OBS.

    import moxing as mox
    mox.file.copy_parallel('obs://bucket/data/', '/cache/data')

Paths are `obs://bucket/key`, `s3://bucket/key` or local paths, in any direction. The object
store is the platform's (S3_ENDPOINT and the keys in the job's environment) unless
`mox.file.set_auth` names another. Built on boto3 (Debian: python3-boto3).
"""
from moxing import file  # noqa: F401

__version__ = '2.1.0.local'
