/**
 * Which Python runs user code — Python boot files and customize_service.py workers.
 * This is the one place that choice is made. `PYTHON` names one interpreter; without it
 * the candidates are probed in order and the first that imports every module asked
 * for wins: Debian's /usr/bin/python3 first (its python3-* packages are what the
 * platform's install hints name), then `python3` on PATH (a pyenv or venv one).
 * Nothing is cached: a package installed after a failed deploy counts at the next one.
 */
import { execFile } from 'node:child_process';
import { PlatformError } from '../errors';

export const PYTHON_CANDIDATES = ['/usr/bin/python3', 'python3'] as const;
const PROBE_TIMEOUT_MS = 60_000;
const PROBE_OUTPUT_BYTES = 1024 * 1024;

/** What one interpreter said about itself and about the modules asked for. */
export interface PythonProbe {
  /** How it is started (the candidate or the PYTHON setting as written). */
  command: string;
  /** sys.executable */
  executable: string;
  version: string;
  /** Modules that did not import, each with the error it raised. */
  missing: Record<string, string>;
  /** Installed versions of the distributions asked for (pip names); null when not installed as such. */
  versions: Record<string, string | null>;
}

export interface PythonNeeds {
  /** Import names that must import. */
  modules?: string[];
  /** Distribution (pip) names whose versions to report. */
  distributions?: string[];
  env?: NodeJS.ProcessEnv;
}

export class PythonNotFound extends PlatformError {}

// Imports each module in turn; an import that fails (or exits) is recorded, not fatal.
const PROBE = `
import importlib, json, sys
modules, dists = json.loads(sys.argv[1]), json.loads(sys.argv[2])
missing, versions = {}, {}
for m in modules:
    try:
        importlib.import_module(m)
    except BaseException as e:
        missing[m] = "%s: %s" % (type(e).__name__, e)
try:
    from importlib import metadata
    for d in dists:
        try:
            versions[d] = metadata.version(d)
        except Exception:
            versions[d] = None
except ImportError:
    pass
sys.stdout.write(json.dumps({"executable": sys.executable, "version": sys.version.split()[0], "missing": missing, "versions": versions}))
`;

/** Runs one interpreter's probe; rejects with a readable reason when it cannot run. */
export function probePython(command: string, needs: PythonNeeds = {}): Promise<PythonProbe> {
  const args = ['-c', PROBE, JSON.stringify(needs.modules ?? []), JSON.stringify(needs.distributions ?? [])];
  return new Promise((resolve, reject) => {
    execFile(command, args, { env: needs.env ?? process.env, timeout: PROBE_TIMEOUT_MS, maxBuffer: PROBE_OUTPUT_BYTES }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'not found' : `${err.message.split('\n')[0]}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`;
        reject(new PythonNotFound(`${command}: ${why}`));
        return;
      }
      try {
        resolve({ command, ...(JSON.parse(stdout) as Omit<PythonProbe, 'command'>) });
      } catch {
        reject(new PythonNotFound(`${command}: did not answer like a Python 3 interpreter`));
      }
    });
  });
}

/**
 * The interpreter to use: `setting` (PYTHON) when given, else the first candidate that
 * imports every module in `needs`, else the first that runs (its `missing` then says
 * what it lacks). Throws PythonNotFound when none runs.
 */
export async function choosePython(setting: string | undefined, needs: PythonNeeds = {}): Promise<PythonProbe> {
  const candidates = setting ? [setting] : [...PYTHON_CANDIDATES];
  const failures: string[] = [];
  let first: PythonProbe | undefined;
  for (const command of candidates) {
    try {
      const probe = await probePython(command, needs);
      if (Object.keys(probe.missing).length === 0) return probe;
      first ??= probe;
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  if (first) return first;
  const hint = setting ? 'set PYTHON to a Python 3 interpreter that exists' : 'install python3 (Debian: apt-get install python3) or set PYTHON to an interpreter';
  throw new PythonNotFound(`no Python interpreter could be started (${failures.join('; ')}); ${hint}`);
}
