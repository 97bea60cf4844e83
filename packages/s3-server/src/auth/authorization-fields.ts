import { createHash } from 'node:crypto';

/**
 * The pieces every `<algorithm> Name=value, Name=value…` signature shares — SigV4's
 * Authorization header here, and Huawei Cloud's SDK-HMAC-SHA256, which the platform checks
 * with these same functions (a package cannot import the platform, so the one copy is here).
 */

/** The `Name=value` fields of an Authorization header for `algorithm`, or undefined when it names another. */
export function authorizationFields(header: string | undefined, algorithm: string): Map<string, string> | undefined {
  if (!header?.startsWith(`${algorithm} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(algorithm.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return fields;
}

/** SHA-256 of a string (as UTF-8) or of bytes, in lowercase hex, as the strings to sign write hashes. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
