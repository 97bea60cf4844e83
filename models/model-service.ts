import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { moveIntoPlace } from '@modelarts-local/durable';
import { ApiError, notFound, Problem } from '../kernel/errors';
import type { PlatformContext } from '../kernel/context';
import { DocStore } from '../kernel/records/doc-store';
import { dropLogged, ifExists } from '../kernel/util/drop';
import { asFolder, childUrl, formatObsUrl, parseObsUrl, ObsUrl, ObsUrlError } from '../kernel/storage/obs-url';
import { StorageError } from '../kernel/storage/storage-error';
import { checkModelConfigText } from './config-validator';
import { inspectPackage, PackageInspection } from './model-package';
import { ModelRecord, modelStates, ModelSource, ModelStatus, withTerminal } from './model-record';
import type { JobService } from '../jobs/job-service';
import { ACTIVE } from '../jobs/state-machine';
import { toApiError } from '../kernel/http/render-error';
import { CONVERTED_FOLDER, convertedDirFor } from '../compute/model-files';

/** The platform's copy of a package's conversions: `…/models/<id>/converted/` beside `…/models/<id>/model/`. */
function convertedUrl(packageUrl: string): ObsUrl {
  const url = parseObsUrl(packageUrl);
  return { ...url, key: url.key.replace(/model\/$/, `${CONVERTED_FOLDER}/`) };
}

interface ImportBody {
  name: string;
  version: string;
  description?: string;
  training_job_id?: string;
  training_job_version?: string;
  url?: string;
}

/** Model import, listing and deletion; the package is copied so the source can change freely. */
export class ModelService {
  readonly records: DocStore<ModelRecord>;

  /**
   * `usersOf` names the services that use a model (a model in use cannot be deleted); the
   * services area answers it, wired by the control plane, since models know nothing of services.
   */
  constructor(
    private readonly p: PlatformContext,
    private readonly jobs: JobService,
    private readonly usersOf: (modelId: string) => string[],
  ) {
    this.records = new DocStore<ModelRecord>(`${p.config.dataDir}/meta`, 'models');
  }

  async start(): Promise<void> {
    await this.records.load();
    await fsp.rm(this.stagingRoot(), { recursive: true, force: true });
    for (const m of this.records.list().filter((r) => r.status === 'publishing')) {
      // A crash mid-copy: the package may be incomplete, so it never becomes usable.
      await this.fail(m.id, 'the platform stopped while the package was being copied; import it again');
    }
  }

  /** POST /models/validate: the config.json text, checked without importing anything. */
  validate(text: string): { valid: true; warnings: Problem[] } {
    const check = checkModelConfigText(text);
    if (!check.valid) {
      throw new ApiError('invalid_package', `config.json is not valid: ${check.problems.length} problem(s); see errors`, check.problems, {
        valid: false,
        warnings: check.warnings,
      });
    }
    return { valid: true, warnings: check.warnings };
  }

  /** `trace`: a training job named beside the source folder (ModelArts' v1 import), recorded, not read. */
  async import(body: unknown, trace?: { source_job_id: string; source_job_version?: string }): Promise<ModelRecord> {
    const req = this.p.schemas.parse<ImportBody>('model-import', body);
    this.refuseDuplicate(req.name, req.version);
    const resolved = this.resolveSource(req);
    const source: ModelSource = resolved.type === 'obs' && trace ? { ...resolved, ...trace } : resolved;
    const staging = path.join(this.stagingRoot(), crypto.randomUUID());
    try {
      const packageUrl = childUrl(asFolder(parseObsUrl(source.url)), 'model/');
      const label = formatObsUrl(packageUrl);
      await this.download(packageUrl, path.join(staging, 'model'), label);
      const inspection = await inspectPackage(path.join(staging, 'model'), label, path.join(staging, CONVERTED_FOLDER));
      return await this.record(req, source, inspection, staging);
    } finally {
      await fsp.rm(staging, { recursive: true, force: true });
    }
  }

  get(id: string): ModelRecord {
    const m = this.records.get(id);
    if (!m) throw notFound('model', id);
    return withTerminal(m);
  }

  list(filter: { name?: string; status?: string }): ModelRecord[] {
    return this.records
      .list()
      .filter((m) => (!filter.name || m.name === filter.name) && (!filter.status || m.status === filter.status))
      .sort((a, b) => (a.created_at < b.created_at ? 1 : -1))
      .map(withTerminal);
  }

  async delete(id: string): Promise<void> {
    const model = this.get(id);
    const users = this.usersOf(id);
    if (users.length) {
      throw new ApiError('in_use', `model ${model.name} ${model.version} is used by service ${users.join(', ')}; delete or redeploy the service first`);
    }
    await this.records.delete(id);
    await fsp.rm(this.localDir(id), { recursive: true, force: true });
    await dropLogged(this.p.store.deletePrefix(parseObsUrl(model.package_url)), `deleting the package of model ${id}`);
    await dropLogged(this.p.store.deletePrefix(convertedUrl(model.package_url)), `deleting the converted models of model ${id}`);
  }

  /** Where instances load the package from: a local copy of the platform's own copy. */
  localDir(id: string): string {
    return path.join(this.p.config.dataDir, 'models', id);
  }

  /**
   * The unpacked model/ folder of a published model (with the conversions of its
   * SavedModels beside it), fetched again from the store if the local copy is gone.
   */
  async ensureLocal(id: string): Promise<string> {
    const model = this.get(id);
    const dir = path.join(this.localDir(id), 'model');
    const converts = model.models.some((m) => m.format === 'savedmodel' || m.format === 'keras-h5' || m.format === 'keras');
    const complete = async (): Promise<boolean> =>
      (await ifExists(fsp.stat(path.join(dir, 'config.json')))) !== undefined &&
      (!converts || (await ifExists(fsp.stat(convertedDirFor(dir)))) !== undefined);
    if (await complete()) return dir;
    const staging = path.join(this.stagingRoot(), crypto.randomUUID());
    try {
      await this.p.store.downloadPrefix(parseObsUrl(model.package_url), path.join(staging, 'model'));
      if (converts) await this.p.store.downloadPrefix(convertedUrl(model.package_url), path.join(staging, CONVERTED_FOLDER));
      await this.placeLocal(id, staging);
    } finally {
      await fsp.rm(staging, { recursive: true, force: true });
    }
    return dir;
  }

  private stagingRoot(): string {
    return path.join(this.p.config.dataDir, 'models', '.staging');
  }

  private refuseDuplicate(name: string, version: string): void {
    const existing = this.records.find((m) => m.name === name && m.version === version);
    if (existing) throw new ApiError('duplicate', `model ${name} ${version} exists already (id ${existing.id}); import it as another version`);
  }

  private resolveSource(req: ImportBody): ModelSource {
    // The schema says training_job_id or url, exactly one of them.
    if (req.url !== undefined) {
      try {
        return { type: 'obs', url: formatObsUrl(asFolder(parseObsUrl(req.url))) };
      } catch (err) {
        if (err instanceof ObsUrlError) throw new ApiError('invalid_request', err.message, [{ path: 'url', message: err.message }]);
        throw err;
      }
    }
    const job = this.jobs.get(req.training_job_id!);
    const newest = job.versions[job.versions.length - 1];
    if (!req.training_job_version && ACTIVE.includes(newest.status)) {
      // Taking the previous Completed version here would silently import older weights.
      throw new ApiError(
        'wrong_state',
        `training job ${job.name} ${newest.version} is ${newest.status}; wait until it ends (GET /training-jobs/${job.id}/logs?follow=1 ends with it), or name an earlier version in training_job_version`,
        undefined,
        { training_job_version: newest.version, training_job_status: newest.status },
      );
    }
    const versions = job.versions.filter((v) => (req.training_job_version ? v.version === req.training_job_version : v.status === 'Completed'));
    const version = versions[versions.length - 1];
    if (!version) {
      throw new ApiError(
        req.training_job_version ? 'not_found' : 'wrong_state',
        req.training_job_version
          ? `training job ${job.name} has no version ${req.training_job_version}`
          : `training job ${job.name} has no Completed version yet; wait for it or name a version`,
      );
    }
    if (version.status !== 'Completed') {
      throw new ApiError('wrong_state', `training job ${job.name} ${version.version} is ${version.status}; only a Completed version can be imported`);
    }
    return { type: 'training_job', training_job_id: job.id, training_job_name: job.name, training_job_version: version.version, url: version.output_urls[0].url };
  }

  private async download(url: ObsUrl, dir: string, label: string): Promise<void> {
    try {
      const got = await this.p.store.downloadPrefix(url, dir);
      if (got.files === 0) throw new ApiError('source_not_found', `${label} is empty or does not exist; the source must hold a model/ folder`);
    } catch (err) {
      if (err instanceof StorageError && err.reason === 'unsafe_key') throw new ApiError('invalid_package', err.message);
      throw err;
    }
  }

  private async record(req: ImportBody, source: ModelSource, pkg: PackageInspection, staging: string): Promise<ModelRecord> {
    const id = crypto.randomUUID();
    const now = new Date().toISOString();
    const packageUrl: ObsUrl = { bucket: this.p.config.obs.systemBucket, key: `models/${id}/model/` };
    const c = pkg.config;
    const record: ModelRecord = {
      id,
      name: req.name,
      version: req.version,
      description: req.description ?? '',
      status: 'publishing',
      model_type: c.model_type,
      model_algorithm: c.model_algorithm,
      runtime: c.runtime,
      metrics: c.metrics as Record<string, number> | undefined,
      apis: c.apis ?? [],
      dependencies: c.dependencies ?? [],
      health: c.health,
      config: c as unknown as Record<string, unknown>,
      warnings: pkg.warnings,
      source,
      package_url: formatObsUrl(packageUrl),
      hook_file: pkg.hookFile,
      models: pkg.models,
      files: pkg.files,
      size_bytes: pkg.size,
      content_hash: pkg.hash,
      created_at: now,
      updated_at: now,
    };
    const created = await this.records.createUnique(record, (m) => m.name === req.name && m.version === req.version);
    if ('conflict' in created) throw new ApiError('duplicate', `model ${req.name} ${req.version} exists already (id ${created.conflict.id})`);
    try {
      await this.p.store.ensureBucket(packageUrl.bucket);
      await this.p.store.uploadDir(path.join(staging, 'model'), packageUrl);
      if (await ifExists(fsp.stat(path.join(staging, CONVERTED_FOLDER)))) {
        await this.p.store.uploadDir(path.join(staging, CONVERTED_FOLDER), convertedUrl(formatObsUrl(packageUrl)));
      }
      await fsp.mkdir(path.dirname(this.localDir(id)), { recursive: true });
      await this.placeLocal(id, staging);
    } catch (err) {
      const reason = `the package could not be copied: ${(err as Error).message}`;
      await dropLogged(this.p.store.deletePrefix({ ...packageUrl, key: `models/${id}/` }), `deleting the partial copy of model ${id}`);
      await this.fail(id, reason);
      const failure = toApiError(err) ?? new ApiError('internal', reason);
      throw new ApiError(failure.kind, `${reason}; the model is recorded as failed`, undefined, { model_id: id });
    }
    return this.setStatus(id, 'published');
  }

  /** Moves a staged model/ (and converted/, if any) into the model's local folder. */
  private async placeLocal(id: string, staging: string): Promise<void> {
    const dir = await this.freshDir(id);
    await moveIntoPlace(path.join(staging, 'model'), path.join(dir, 'model'));
    const converted = path.join(staging, CONVERTED_FOLDER);
    if (await ifExists(fsp.stat(converted))) await moveIntoPlace(converted, path.join(dir, CONVERTED_FOLDER));
  }

  private async freshDir(id: string): Promise<string> {
    const dir = this.localDir(id);
    await fsp.rm(dir, { recursive: true, force: true });
    await fsp.mkdir(dir, { recursive: true });
    return dir;
  }

  private setStatus(id: string, to: ModelStatus, reason?: string): Promise<ModelRecord> {
    return this.records.update(id, (m) => {
      modelStates.transition(m, to);
      if (reason) m.reason = reason;
    });
  }

  private async fail(id: string, reason: string): Promise<void> {
    await this.setStatus(id, 'failed', reason);
    await fsp.rm(this.localDir(id), { recursive: true, force: true });
  }
}
