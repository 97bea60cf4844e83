import { probePython } from '../../kernel/process/python';

/** Modules the platform's Python libraries need in the job's Python, and how to get each. */
const NEEDED = [{ module: 'boto3', for: 'moxing (mox.file)', install: 'apt-get install python3-boto3 (Debian/Ubuntu) or pip install boto3' }];

/**
 * Lines for the job's log naming what the chosen Python lacks for moxing, at job start, so that
 * a boot file that fails on `import moxing` later has its reason in the first lines already.
 * Nothing fails here: a boot file that does not use moxing does not need boto3.
 */
export async function checkModules(python: string): Promise<string[]> {
  const probe = await probePython(python, { modules: NEEDED.map((n) => n.module) });
  return NEEDED.filter((n) => probe.missing[n.module] !== undefined).map(
    (n) => `${n.for} cannot work in this job: ${probe.executable} cannot import ${n.module} (${probe.missing[n.module]}); install it with ${n.install}`,
  );
}
