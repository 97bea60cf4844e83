import { readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncPath, isErrno, type StagedFile, uniqueName, unlinkIfPresent, writeFileAtomic } from '@modelarts-local/durable';

/**
 * A record is a small JSON document `<base>.json` naming its data file
 * `<base>.<unique>.data` in the same directory. The data file is moved in first and the
 * JSON written last: the JSON's rename is the commit point. A data file that no JSON names
 * is a write that never committed (or a replaced version) and is removed at start-up.
 * Giving every version its own data file means a reader never pairs one version's
 * metadata with another's bytes.
 */
export interface FileRecord {
  dataFile: string;
}

const DATA_FILE_NAME = /^[0-9a-zA-Z_.-]+\.data$/;

export async function commitRecord<R extends FileRecord>(
  dir: string,
  base: string,
  staged: StagedFile,
  fields: Omit<R, 'dataFile'>,
  previous: R | undefined,
  stagingDir: string,
): Promise<R> {
  const dataFile = `${base}.${uniqueName()}.data`;
  await rename(staged.path, join(dir, dataFile));
  const record = { ...fields, dataFile } as R;
  try {
    // Flushes `dir` as well, so the data file's rename above is durable with it.
    await writeFileAtomic(join(dir, `${base}.json`), JSON.stringify(record), stagingDir);
  } catch (err) {
    await unlinkIfPresent(join(dir, dataFile));
    throw err;
  }
  if (previous) await unlinkIfPresent(join(dir, previous.dataFile));
  return record;
}

export async function removeRecord(dir: string, base: string, record: FileRecord): Promise<void> {
  await unlinkIfPresent(join(dir, `${base}.json`));
  await fsyncPath(dir);
  await unlinkIfPresent(join(dir, record.dataFile));
}

/**
 * Loads every committed record of a directory, and deletes what no committed record
 * refers to. `accept` vets a parsed document and returns the record, or undefined.
 */
export async function loadRecords<R extends FileRecord>(
  dir: string,
  accept: (document: unknown) => R | undefined,
): Promise<Array<{ base: string; record: R }>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  }
  const present = new Set(names);
  const referenced = new Set<string>();
  const loaded: Array<{ base: string; record: R }> = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const record = accept(parseJson(await readFile(join(dir, name), 'utf8')));
    if (record && DATA_FILE_NAME.test(record.dataFile) && present.has(record.dataFile)) {
      referenced.add(record.dataFile);
      loaded.push({ base: name.slice(0, -'.json'.length), record });
    } else {
      await unlinkIfPresent(join(dir, name));
    }
  }
  for (const name of names) {
    if (name.endsWith('.data') && !referenced.has(name)) await unlinkIfPresent(join(dir, name));
  }
  return loaded;
}

/** The keys a record must have; optional ones were added later and may be missing from older records. */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

/** The document as a record if every required field has the expected type, else undefined. */
export function recordWithFields<R extends FileRecord>(
  doc: unknown,
  fields: Record<Exclude<RequiredKeys<R>, 'dataFile'>, 'string' | 'number' | 'object'>,
): R | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const r = doc as Record<string, unknown>;
  const valid =
    typeof r.dataFile === 'string' &&
    Object.entries(fields).every(([name, type]) => typeof r[name] === type && r[name] !== null);
  return valid ? (doc as R) : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
