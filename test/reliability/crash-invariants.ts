/**
 * The invariants the crash-consistency test checks after every kill: first on the files the
 * dead platform left (nothing committed is torn), then through the restarted platform (what
 * it confirmed is there, and nothing it records points at nothing).
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ifExists } from '../../kernel/util/drop';
import { api } from '../helpers/http';
import { processAlive } from '../helpers/jobs';
import { BUCKET, type Platformish, type World } from './crash-work';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Tally {
  /** Invariants checked, one per object, record, model, version or service looked at. */
  checked: number;
  violations: string[];
  /** Uncommitted writes the store found at start and removed (allowed: they never were objects). */
  leftovers: number;
}

async function files(dir: string, pattern: RegExp): Promise<string[]> {
  const entries = (await ifExists(fs.readdir(dir, { withFileTypes: true, recursive: true }))) ?? [];
  return entries.filter((e) => e.isFile() && pattern.test(e.name)).map((e) => path.join(e.parentPath, e.name));
}

/**
 * With the platform down: every record of the store (an object's metadata, its commit point)
 * names a data file of its size and, for a single PUT, its MD5; every platform record parses.
 * Nothing here may need a repair; data files no record names are counted, not faulted.
 */
export async function checkFilesAtRest(dataDir: string, tally: Tally): Promise<void> {
  const objects = path.join(dataDir, 'obs', 'buckets');
  const named = new Set<string>();
  for (const file of await files(objects, /\.json$/)) {
    if (path.basename(file) === 'bucket.json') continue;
    tally.checked++;
    const record = JSON.parse(await fs.readFile(file, 'utf8')) as { key: string; size: number; etag: string; dataFile: string; parts?: unknown[] };
    const data = path.join(path.dirname(file), record.dataFile);
    named.add(data);
    const bytes = await ifExists(fs.readFile(data));
    if (!bytes) tally.violations.push(`object ${record.key}: its data file is missing`);
    else if (bytes.length !== record.size) tally.violations.push(`object ${record.key}: ${bytes.length} bytes on disk, ${record.size} recorded`);
    else if (!record.parts && crypto.createHash('md5').update(bytes).digest('hex') !== record.etag) tally.violations.push(`object ${record.key}: its bytes do not match its ETag`);
  }
  tally.leftovers += (await files(objects, /\.data$/)).filter((f) => !named.has(f)).length;
  for (const file of await files(path.join(dataDir, 'meta'), /\.json$/)) {
    tally.checked++;
    try {
      JSON.parse(await fs.readFile(file, 'utf8'));
    } catch (err) {
      tally.violations.push(`record ${path.relative(dataDir, file)} does not parse: ${(err as Error).message}`);
    }
  }
}

/** An object the test wrote: there, whole and with its ETag if the store confirmed it (and no delete did); else there whole, or absent. */
async function checkObjects(p: Platformish, w: World, tally: Tally): Promise<void> {
  for (const [key, o] of w.objects) {
    tally.checked++;
    const head = await p.s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).catch((err: { name?: string }) => {
      if (err.name === 'NotFound') return undefined;
      throw err;
    });
    if (!head) {
      if (o.written && !o.deleteSent) tally.violations.push(`object ${key} was confirmed and is gone`);
      if (o.deleteSent) w.objects.delete(key);
      continue;
    }
    if (o.deleted) tally.violations.push(`object ${key} was deleted (confirmed) and is back`);
    if (head.ETag?.replace(/"/g, '') !== o.etag || head.ContentLength !== o.size) tally.violations.push(`object ${key} is torn: ETag ${head.ETag}, ${head.ContentLength} bytes; expected ${o.etag}, ${o.size}`);
  }
}

/** No model is left publishing; a published one's package is in the store, file for file; every confirmed import is published. */
async function checkModels(p: Platformish, w: World, tally: Tally): Promise<Set<string>> {
  const models = (await api(p.url, 'GET', '/models')).body.items as { id: string; version: string; status: string; package_url: string; files: { path: string; size: number }[] }[];
  for (const m of models) {
    tally.checked++;
    if (m.status === 'publishing') tally.violations.push(`model ${m.version} is left publishing`);
    if (m.status !== 'published') continue;
    const [, bucket, prefix] = /^obs:\/\/([^/]+)\/(.*)$/.exec(m.package_url)!;
    const listed = await p.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const stored = new Map((listed.Contents ?? []).map((c) => [c.Key!.slice(prefix.length), c.Size]));
    const missing = m.files.filter((f) => stored.get(f.path) !== f.size);
    if (missing.length) tally.violations.push(`model ${m.version} points at a package missing ${missing.map((f) => f.path).join(', ')}`);
  }
  for (const [version, confirmed] of w.imports) {
    if (confirmed && !models.some((m) => m.version === version && m.status === 'published')) tally.violations.push(`the confirmed import of model ${version} is not published`);
  }
  return new Set(models.filter((m) => m.status === 'published').map((m) => m.id));
}

interface Version {
  version: string;
  status: string;
  pids?: number[];
}

const versionsOf = async (p: Platformish, id: string) => ((await api(p.url, 'GET', `/training-jobs/${id}`)).body.versions ?? []) as Version[];

/**
 * A version Running with no process of its own must be on its way out: its boot file has
 * just ended and its outputs are being uploaded. One still Running without a process after
 * STUCK_MS was left behind.
 */
async function leftRunning(p: Platformish, id: string, v: Version): Promise<boolean> {
  const deadline = Date.now() + STUCK_MS;
  for (let now = v; now.status === 'Running' && !(now.pids ?? []).some((pid) => processAlive(pid)); ) {
    if (Date.now() > deadline) return true;
    await sleep(100);
    now = (await versionsOf(p, id)).find((x) => x.version === v.version)!;
  }
  return false;
}

const STUCK_MS = 10_000;

/** No version Running without its process; a Completed one's output is in the store. */
async function checkJob(p: Platformish, w: World, tally: Tally): Promise<void> {
  if (!w.jobId) return;
  for (const v of await versionsOf(p, w.jobId)) {
    tally.checked++;
    if (v.status === 'Running' && (await leftRunning(p, w.jobId, v))) tally.violations.push(`job version ${v.version} is Running without a process`);
    if (v.status !== 'Completed') continue;
    const out = await p.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `out/${v.version}/` }));
    if (!(out.Contents ?? []).some((c) => c.Key!.endsWith('result.txt'))) tally.violations.push(`job version ${v.version} is Completed and its output is missing`);
  }
}

/** The service runs a model that exists and is published. */
async function checkService(p: Platformish, w: World, published: Set<string>, tally: Tally): Promise<void> {
  if (!w.serviceId) return;
  tally.checked++;
  const service = (await api(p.url, 'GET', `/services/${w.serviceId}`)).body as { model_id: string };
  if (!published.has(service.model_id)) tally.violations.push(`the service runs model ${service.model_id}, which is not a published model`);
}

export async function checkAfterRestart(p: Platformish, w: World, tally: Tally): Promise<void> {
  await checkObjects(p, w, tally);
  const published = await checkModels(p, w, tally);
  await checkJob(p, w, tally);
  await checkService(p, w, published, tally);
}
