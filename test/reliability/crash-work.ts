/**
 * The work the crash-consistency test keeps under way when it kills the platform — uploads,
 * multipart uploads, deletes, imports, job versions, deploys — and what it remembers of each
 * (what was asked, and whether the platform said it was done), so that the invariants can be
 * checked after every restart.
 */
import crypto from 'node:crypto';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { api } from '../helpers/http';

export const BUCKET = 'crash';
export const PACKAGE = `obs://${BUCKET}/pkg/`;
export const CODE = `obs://${BUCKET}/code/`;
export const OUTPUT = `obs://${BUCKET}/out/`;
const PART_BYTES = 5 * 1024 * 1024;

/** A seeded generator (mulberry32): the same seed kills at the same moments with the same work. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TrackedObject {
  etag: string;
  size: number;
  /** The store answered the write. */
  written: boolean;
  /** A delete was sent; `deleted` once the store answered it. */
  deleteSent?: boolean;
  deleted?: boolean;
}

/** What the test asked for, and what the platform confirmed. */
export interface World {
  objects: Map<string, TrackedObject>;
  /** Model versions asked for, and whether the import answered 201. */
  imports: Map<string, boolean>;
  jobId?: string;
  serviceId?: string;
  counter: number;
}

export function newWorld(): World {
  return { objects: new Map(), imports: new Map(), counter: 0 };
}

const md5 = (data: Buffer) => crypto.createHash('md5').update(data).digest('hex');

export interface Platformish {
  url: string;
  s3: S3Client;
}

type Work = (p: Platformish, w: World, random: () => number) => Promise<unknown>;

const put: Work = async (p, w, random) => {
  const key = `objects/${++w.counter}`;
  const body = crypto.randomBytes(1 + Math.floor(random() * 1_000_000));
  const entry: TrackedObject = { etag: md5(body), size: body.length, written: false };
  w.objects.set(key, entry);
  await p.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  entry.written = true;
};

const firstPart = crypto.randomBytes(PART_BYTES);

const multipart: Work = async (p, w, random) => {
  const key = `multipart/${++w.counter}`;
  const second = crypto.randomBytes(1 + Math.floor(random() * 100_000));
  const parts = [firstPart, second];
  const etag = `${md5(Buffer.concat(parts.map((part) => Buffer.from(md5(part), 'hex'))))}-2`;
  const entry: TrackedObject = { etag, size: firstPart.length + second.length, written: false };
  w.objects.set(key, entry);
  const { UploadId } = await p.s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  const done = [];
  for (const [i, part] of parts.entries()) {
    const { ETag } = await p.s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: i + 1, Body: part }));
    done.push({ ETag, PartNumber: i + 1 });
  }
  await p.s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: done } }));
  entry.written = true;
};

const remove: Work = async (p, w) => {
  const candidates = [...w.objects.entries()].filter(([, o]) => o.written && !o.deleteSent);
  if (!candidates.length) return;
  const [key, entry] = candidates[Math.floor(candidates.length / 2)];
  entry.deleteSent = true;
  await p.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  entry.deleted = true;
};

const importModel: Work = async (p, w) => {
  const version = `1.0.${++w.counter}`;
  w.imports.set(version, false);
  const res = await api(p.url, 'POST', '/models/import', { name: 'crash', version, url: PACKAGE });
  if (res.status === 201) w.imports.set(version, true);
};

const jobVersion: Work = async (p, w, random) => {
  const parameters = [{ name: 'ms', value: String(Math.floor(random() * 400)) }];
  if (!w.jobId) {
    const res = await api(p.url, 'POST', '/training-jobs', { name: 'crash-job', algorithm: { engine: 'node', code_dir: CODE, boot_file: 'sleep-then-write.js', parameters }, train_url: OUTPUT });
    if (res.status === 201) w.jobId = res.body.id;
    return;
  }
  await api(p.url, 'POST', `/training-jobs/${w.jobId}/versions`, { parameters });
};

const deploy: Work = async (p, w, random) => {
  // Drawn before the first await, so that the seed alone decides what is asked.
  const [which, stop] = [random(), random() < 0.5];
  const published = ((await api(p.url, 'GET', '/models?status=published')).body.items ?? []) as { id: string }[];
  if (!published.length) return;
  const model = published[Math.floor(which * published.length)];
  if (!w.serviceId) {
    const res = await api(p.url, 'POST', '/services', { name: 'crash-svc', model_id: model.id });
    if (res.status === 201) w.serviceId = res.body.id;
    return;
  }
  if (stop) await api(p.url, 'POST', `/services/${w.serviceId}/stop`);
  else await api(p.url, 'POST', `/services/${w.serviceId}/deploy`, { model_id: model.id });
};

/** The kinds of work and how often each is picked: deploys start processes, so they are rarer. */
const WORK: [Work, number][] = [
  [put, 4],
  [multipart, 1],
  [remove, 1],
  [importModel, 2],
  [jobVersion, 2],
  [deploy, 1],
];

/** Starts 1-5 pieces of work; the promise settles when all have answered or failed (the kill cuts them). */
export function startWork(p: Platformish, w: World, random: () => number): Promise<unknown> {
  const total = WORK.reduce((n, [, weight]) => n + weight, 0);
  const started: Promise<unknown>[] = [];
  for (let i = 1 + Math.floor(random() * 5); i > 0; i--) {
    let pick = random() * total;
    const [work] = WORK.find(([, weight]) => (pick -= weight) < 0) ?? WORK[0];
    started.push(work(p, w, random).catch((err: unknown) => err));
  }
  return Promise.all(started);
}
