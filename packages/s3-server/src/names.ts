/**
 * S3's naming rules for buckets and keys, as this server enforces them. They are exported
 * (`@modelarts-local/s3-server/names`) so that clients of the server — the platform's
 * obs:// URLs, its settings and its request schemas — check names with the same rules.
 * Nothing here imports the server.
 */

/** The longest key S3 takes, in bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

/** A naming rule: a test that a name breaks it, and what a bucket name must be instead. */
type Rule = [(name: string) => boolean, string];

/**
 * S3's bucket naming rules. They also make a name safe to use as a directory name:
 * no slashes, no leading dot, nothing but [a-z0-9.-].
 */
const SAFETY_RULES: Rule[] = [
  [(n) => n.length < 3 || n.length > 63, 'must be between 3 and 63 characters long'],
  [(n) => !/^[a-z0-9.-]+$/.test(n), 'may contain only lowercase letters, digits, dots and hyphens'],
  [(n) => !/^[a-z0-9].*[a-z0-9]$/.test(n), 'must begin and end with a letter or digit'],
  [(n) => n.includes('..'), 'must not contain two adjacent periods'],
  [(n) => /^\d{1,3}(\.\d{1,3}){3}$/.test(n), 'must not be formatted as an IP address'],
];

/** Rules added later; buckets made before them still load. */
const RULES: Rule[] = [
  ...SAFETY_RULES,
  // Each label between dots must be a DNS label, for `<bucket>.localhost` addressing.
  [(n) => /\.-|-\./.test(n), 'must not have a hyphen next to a period'],
];

/** What a bucket name breaks, as "must …" words (the first rule it breaks), or undefined for a valid name. */
export function bucketNameProblem(name: string): string | undefined {
  return RULES.find(([breaks]) => breaks(name))?.[1];
}

/** Whether a directory found in the data directory may be a bucket this store made. */
export function isLoadableBucketName(name: string): boolean {
  return !SAFETY_RULES.some(([breaks]) => breaks(name));
}
