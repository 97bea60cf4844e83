/**
 * One model of the drop-in server: polls its base path for numbered version folders and
 * keeps loaded what its version policy asks for (by default the latest version only, as
 * TF Serving does), loading a new version before unloading the one it replaces so
 * requests never find nothing. SavedModels are converted into a cache folder first.
 * Each transition is logged in TF Serving's words.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Tf } from '../../../compute/tf';
import { loadModelFrom, MODEL_JSON, VERSION_FOLDER } from '../../../compute/model-io';
import { kerasFilesIn, SAVED_MODEL_PB } from '../../../compute/model-files';
import { convertKeras } from '../../../compute/keras/keras-convert';
import { CONVERTED_JSON } from '../../../compute/savedmodel/converted-format';
import { convertSavedModel, writeConverted } from '../../../compute/savedmodel/convert';
import { log } from '../../../kernel/log';
import { ifErrnoSync } from '../../../kernel/util/drop';
import { ServableSet, type Servable } from '../servables';
import type { ModelEntry, VersionPolicy } from './flags';

interface Found {
  version: number;
  dir: string;
  /** Changes when the version's files change: a failed version is tried again then. */
  stamp: string;
}

export class ModelVersions {
  private loaded = new Map<number, Servable>();
  private failed = new Map<number, string>();
  private missingSaid = false;
  private current: ServableSet;

  constructor(
    readonly entry: ModelEntry,
    private readonly tf: Tf,
    private readonly cacheDir: string,
  ) {
    this.current = new ServableSet(entry.name, [], `no version of ${entry.name} is loaded yet (base path ${entry.basePath})`);
  }

  get servables(): ServableSet {
    return this.current;
  }

  /** One look at the base path: loads what the policy wants and is not loaded, then unloads the rest. */
  async poll(): Promise<void> {
    const found = this.scan();
    const wanted = pick(found, this.entry.policy);
    for (const f of wanted) {
      if (this.loaded.has(f.version) || this.failed.get(f.version) === f.stamp) continue;
      await this.load(f);
    }
    const keep = new Set(wanted.map((f) => f.version));
    // Unload only once something newer serves (or the folder is gone), as TF Serving's availability-preserving policy does.
    if (!keep.size || [...keep].some((v) => this.loaded.has(v))) {
      for (const version of [...this.loaded.keys()].filter((v) => !keep.has(v))) this.unload(version);
    }
    this.publish();
  }

  close(): void {
    for (const version of [...this.loaded.keys()]) this.unload(version);
    this.publish();
  }

  private scan(): Found[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.entry.basePath);
    } catch {
      names = [];
    }
    const found = names.filter((n) => VERSION_FOLDER.test(n)).flatMap((n) => {
      const dir = path.join(this.entry.basePath, n);
      const stamp = stampOf(dir);
      return stamp ? [{ version: Number(n), dir, stamp }] : [];
    });
    if (!found.length && !this.missingSaid) log.warn(`No versions of servable ${this.entry.name} found under base path ${this.entry.basePath}`);
    this.missingSaid = !found.length;
    return found;
  }

  private async load(f: Found): Promise<void> {
    const id = `{name: ${this.entry.name} version: ${f.version}}`;
    log.info(`Loading servable version ${id} from ${f.dir}`);
    try {
      const file = fs.existsSync(path.join(f.dir, MODEL_JSON)) ? path.join(f.dir, MODEL_JSON) : await this.convert(f);

      this.loaded.set(f.version, { version: f.version, file, model: await loadModelFrom(file, this.tf) });
      this.failed.delete(f.version);
      log.info(`Successfully loaded servable version ${id}`);
    } catch (err) {
      this.failed.set(f.version, f.stamp);
      log.error(`Loading servable version ${id} failed: ${(err as Error).message}`);
    }
  }

  /** A SavedModel or Keras version, converted into the cache; the file to load. */
  private async convert(f: Found): Promise<string> {
    const out = path.join(this.cacheDir, encodeURIComponent(this.entry.name), String(f.version));
    await fs.promises.rm(out, { recursive: true, force: true });
    if (fs.existsSync(path.join(f.dir, SAVED_MODEL_PB))) {
      await writeConverted(convertSavedModel(f.dir, `${f.dir}${path.sep}`), out);
      return path.join(out, CONVERTED_JSON);
    }
    const [keras] = kerasFilesIn(f.dir);
    await convertKeras(await fs.promises.readFile(path.join(f.dir, keras)), path.join(f.dir, keras), out, this.tf);
    return path.join(out, MODEL_JSON);
  }

  private unload(version: number): void {
    log.info(`Unloading servable version {name: ${this.entry.name} version: ${version}}`);
    this.loaded.get(version)?.model.dispose();
    this.loaded.delete(version);
  }

  private publish(): void {
    const servables = [...this.loaded.values()].sort((a, b) => a.version - b.version);
    this.current = new ServableSet(this.entry.name, servables, servables.length ? undefined : `no version of ${this.entry.name} is loaded (base path ${this.entry.basePath})`);
  }
}

function stampOf(dir: string): string | undefined {
  for (const file of [SAVED_MODEL_PB, MODEL_JSON, ...kerasFilesIn(dir)]) {
    // No such file: not this kind of model.
    const st = ifErrnoSync(() => fs.statSync(path.join(dir, file)), ['ENOENT', 'ENOTDIR']);
    if (!st) continue;
    const variables = ifErrnoSync(() => fs.readdirSync(path.join(dir, 'variables')).map((n) => `${n}:${fs.statSync(path.join(dir, 'variables', n)).size}`).join(','), ['ENOENT', 'ENOTDIR']);
    return `${file}:${st.size}:${st.mtimeMs}:${variables ?? '-'}`;
  }
  return undefined;
}

function pick(found: Found[], policy: VersionPolicy): Found[] {
  const newest = [...found].sort((a, b) => b.version - a.version);
  if (policy.kind === 'all') return newest;
  if (policy.kind === 'specific') return newest.filter((f) => policy.versions.includes(f.version));
  return newest.slice(0, Math.max(1, policy.count));
}
