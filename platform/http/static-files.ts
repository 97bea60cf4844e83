import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Every servable file under `dir`, read once at start-up and keyed by its relative
 * '/'-path. Requests are answered by looking a name up in this table, never by
 * joining it onto a directory, so no request path can reach a file outside `dir`;
 * files of a type not in TYPES are not served at all.
 */
export function loadStaticFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (current: string, rel: string) => {
    for (const e of fs.readdirSync(current, { withFileTypes: true })) {
      const relative = rel ? `${rel}/${e.name}` : e.name;
      const abs = path.join(current, e.name);
      if (e.isDirectory()) walk(abs, relative);
      const type = TYPES[path.extname(e.name)];
      if (e.isFile() && type) {
        const body = fs.readFileSync(abs);
        const etag = `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
        files.set(relative, { body, type, etag });
      }
    }
  };
  walk(dir, '');
  return files;
}
