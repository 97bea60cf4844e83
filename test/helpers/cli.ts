import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { distPath } from '../../kernel/paths';

const run = promisify(execFile);

/** The command line as a user runs it (the compiled bin), against the platform at `platformUrl`. */
export function cli(platformUrl: string, ...args: string[]): Promise<{ code: number; lines: string[] }> {
  return cliWithEnv({ PLATFORM_URL: platformUrl }, ...args);
}

export async function cliWithEnv(env: Record<string, string>, ...args: string[]): Promise<{ code: number; lines: string[] }> {
  try {
    const { stdout } = await run(process.execPath, [distPath('client/cli/main.js'), ...args], {
      env: { ...process.env, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, lines: stdout.trimEnd().split('\n') };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, lines: (e.stdout ?? '').trimEnd().split('\n') };
  }
}

export const FINAL_LINE = /^The most probable class for (img_\d+\.png) is (\d) with probability: (0\.\d+|1)$/;
export const CLASS_LINE = /^Class (\d): (\d(\.\d+)?(e-\d\d)?|0)$/;
