import { S3Error } from './s3-error';

/**
 * S3's bucket naming rules. They also make a name safe to use as a directory name:
 * no slashes, no leading dot, nothing but [a-z0-9.-].
 */
export function checkBucketName(name: string): void {
  const problem =
    name.length < 3 || name.length > 63
      ? 'must be between 3 and 63 characters long'
      : !/^[a-z0-9.-]+$/.test(name)
        ? 'may contain only lowercase letters, digits, dots and hyphens'
        : !/^[a-z0-9].*[a-z0-9]$/.test(name)
          ? 'must begin and end with a letter or digit'
          : name.includes('..')
            ? 'must not contain two adjacent periods'
            : /^\d{1,3}(\.\d{1,3}){3}$/.test(name)
              ? 'must not be formatted as an IP address'
              : undefined;
  if (problem) throw new S3Error('InvalidBucketName', `The specified bucket is not valid: a bucket name ${problem}.`);
}

export function isValidBucketName(name: string): boolean {
  try {
    checkBucketName(name);
    return true;
  } catch {
    return false;
  }
}
