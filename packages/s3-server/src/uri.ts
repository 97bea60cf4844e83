import { S3Error } from './s3-error';

/**
 * Percent-encodes as SigV4 prescribes: every byte except A-Z a-z 0-9 - _ . ~ ;
 * `/` is kept when encoding a path.
 */
export function awsUriEncode(text: string, keepSlash = false): string {
  const encoded = encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

/**
 * The `encoding-type=url` form of listings: like S3 (and what minio's and boto's decoders
 * expect), a space becomes `+` and `/` stays readable.
 */
export function listingUrlEncode(text: string): string {
  return awsUriEncode(text, true).replace(/%20/g, '+');
}

export function decodeUriPart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new S3Error('InvalidURI', 'Could not parse the specified URI.');
  }
}

export interface QueryParam {
  name: string;
  value: string;
}

/** Query parameters in order, decoded; `+` is a literal plus, as clients encode spaces as %20. */
export function parseQuery(rawQuery: string): QueryParam[] {
  if (rawQuery === '') return [];
  return rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0
        ? { name: decodeUriPart(part), value: '' }
        : { name: decodeUriPart(part.slice(0, eq)), value: decodeUriPart(part.slice(eq + 1)) };
    });
}
