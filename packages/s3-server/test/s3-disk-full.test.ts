import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { errorDocument, toS3Error } from '../src/s3-error';

/** A real ENOSPC from the kernel: /dev/full takes no byte. */
function realEnospc(): NodeJS.ErrnoException {
  try {
    writeFileSync('/dev/full', 'x');
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
  throw new Error('/dev/full took a byte');
}

describe('embedded S3 server: a full disk', () => {
  before(function () {
    if (!existsSync('/dev/full')) this.skip(); // /dev/full is Linux's; elsewhere there is no ENOSPC to borrow without a full disk
  });

  it('answers ENOSPC as 507 InsufficientStorage, modelled on MinIO\'s XMinioStorageFull, in an S3 error document', () => {
    const err = realEnospc();
    assert.equal(err.code, 'ENOSPC');
    const s3 = toS3Error(err);
    assert.equal(s3.status, 507);
    assert.equal(s3.code, 'InsufficientStorage');
    const doc = errorDocument(s3, '/bucket/key', 'REQ1');
    assert.match(doc, /<Code>InsufficientStorage<\/Code><Message>The storage backend has no space left \(ENOSPC\)\. Please delete a few objects or free disk space to proceed\.<\/Message>/);
    const quota = toS3Error(Object.assign(new Error('EDQUOT: disk quota exceeded'), { code: 'EDQUOT' }));
    assert.equal(quota.status, 507);
    assert.match(quota.message, /over its disk quota \(EDQUOT\)/);
  });
});
