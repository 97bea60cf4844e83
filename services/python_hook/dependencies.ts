/**
 * config.json `dependencies` (pip packages) as a Python hook's worker needs them: the
 * module each must import as (pip and import names differ: Pillow → PIL), which ones the
 * platform provides itself, and what to tell a user whose Python lacks one. Nothing is
 * installed at deploy; a missing package fails the deploy with how to install it.
 */
import type { PythonProbe } from '../../kernel/process/python';

export interface PipRequirement {
  /** As config.json names it. */
  name: string;
  /** The module `import` must find. */
  module: string;
  restraint?: string;
  version?: string;
}

export interface HookRequirements {
  required: PipRequirement[];
  /** Listed packages the platform provides (tensorflow: the model runs in the instance). */
  provided: PipRequirement[];
}

/** pip name (normalised) → import name, where they differ. */
const IMPORT_NAMES: Record<string, string> = {
  pillow: 'PIL',
  'pillow-simd': 'PIL',
  'opencv-python': 'cv2',
  'opencv-python-headless': 'cv2',
  'opencv-contrib-python': 'cv2',
  'scikit-learn': 'sklearn',
  'scikit-image': 'skimage',
  pyyaml: 'yaml',
  beautifulsoup4: 'bs4',
  'python-dateutil': 'dateutil',
  protobuf: 'google.protobuf',
  pyzmq: 'zmq',
  'msgpack-python': 'msgpack',
};

/** pip name (normalised) → Debian package of the same library for /usr/bin/python3. */
const DEBIAN_PACKAGES: Record<string, string> = {
  numpy: 'python3-numpy',
  pillow: 'python3-pil',
  h5py: 'python3-h5py',
  scipy: 'python3-scipy',
  pandas: 'python3-pandas',
  'opencv-python': 'python3-opencv',
  'opencv-python-headless': 'python3-opencv',
  'scikit-learn': 'python3-sklearn',
  'scikit-image': 'python3-skimage',
  pyyaml: 'python3-yaml',
  requests: 'python3-requests',
  six: 'python3-six',
  protobuf: 'python3-protobuf',
  torch: 'python3-torch',
  torchvision: 'python3-torchvision',
  matplotlib: 'python3-matplotlib',
};

/** Packages a ModelArts TensorFlow image has because the model server needs them; here the instance is that server. */
const PROVIDED = new Set(['tensorflow', 'tensorflow-cpu', 'tensorflow-gpu', 'tensorflow-serving-api', 'tensorflow-estimator']);

const PROVIDED_NOTE =
  'the model runs in the instance behind its TF Serving REST API, which _inference calls on loopback; the worker does not import it';

/** PEP 503 normalisation: pip compares names this way. */
function normalizePipName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}

export function importNameOf(pipName: string): string {
  const normalized = normalizePipName(pipName);
  return IMPORT_NAMES[normalized] ?? normalized.replace(/-/g, '_');
}

/** The pip packages of config.json `dependencies` (and `always`, the model type's own), split into required and provided. */
export function hookRequirements(dependencies: unknown[], always: string[] = []): HookRequirements {
  const out: HookRequirements = { required: always.map((name) => ({ name, module: importNameOf(name) })), provided: [] };
  for (const dep of dependencies) {
    const d = dep as { installer?: string; packages?: { package_name?: string; package_version?: string; restraint?: string }[] };
    if (d?.installer !== undefined && d.installer !== 'pip') continue;
    for (const p of d?.packages ?? []) {
      if (!p?.package_name) continue;
      const req: PipRequirement = { name: p.package_name, module: importNameOf(p.package_name), restraint: p.restraint || undefined, version: p.package_version || undefined };
      const listed = out.required.findIndex((r) => r.module === req.module);
      if (listed !== -1) out.required.splice(listed, 1);
      (PROVIDED.has(normalizePipName(p.package_name)) ? out.provided : out.required).push(req);
    }
  }
  return out;
}

/** How to get `pip` into the interpreter `probe` describes. */
export function installHint(req: PipRequirement, probe: PythonProbe): string {
  const debian = DEBIAN_PACKAGES[normalizePipName(req.name)];
  const pip = `${probe.executable} -m pip install '${req.name}${versionSpec(req)}'`;
  return debian ? `apt-get install ${debian} (Debian/Ubuntu, for /usr/bin/python3) or ${pip}` : pip;
}

/** The deploy's failure message when some required packages do not import, or undefined. */
export function missingMessage(reqs: HookRequirements, probe: PythonProbe): string | undefined {
  const missing = reqs.required.filter((r) => probe.missing[r.module] !== undefined);
  if (!missing.length) return undefined;
  const each = missing.map((r) => `${r.name} (import ${r.module}: ${probe.missing[r.module]}); install it with: ${installHint(r, probe)}`);
  return (
    `config.json dependencies do not import in ${probe.executable} (Python ${probe.version}): ${each.join('; ')}. ` +
    'Packages are not installed at deploy: install them for that Python, or set PYTHON to an interpreter that has them, then deploy again'
  );
}

/** Notes for the deploy's events: what the platform provides, versions outside the listed restraints. */
export function requirementNotes(reqs: HookRequirements, probe: PythonProbe): string[] {
  const notes = reqs.provided.map((r) => `config.json lists ${r.name}${versionSpec(r)}: provided by the platform — ${PROVIDED_NOTE}`);
  for (const r of reqs.required) {
    const installed = probe.versions[r.name];
    if (installed && r.version && !satisfies(installed, r.restraint, r.version)) {
      notes.push(`config.json asks for ${r.name}${versionSpec(r)}; ${probe.executable} has ${installed}, which is used as it is (nothing is installed at deploy)`);
    }
  }
  return notes;
}

function versionSpec(r: PipRequirement): string {
  if (!r.version) return '';
  const op = r.restraint === 'ATLEAST' ? '>=' : r.restraint === 'ATMOST' ? '<=' : '==';
  return `${op}${r.version}`;
}

/** EXACT / ATLEAST / ATMOST on dotted numeric versions (what the restraint can say). */
export function satisfies(installed: string, restraint: string | undefined, wanted: string): boolean {
  const cmp = compareVersions(installed, wanted);
  if (restraint === 'ATLEAST') return cmp >= 0;
  if (restraint === 'ATMOST') return cmp <= 0;
  return cmp === 0;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
