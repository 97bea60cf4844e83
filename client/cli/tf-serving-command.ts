/**
 * `modelarts-local tf-serving …`: TF Serving's command line. The server runs in a process
 * of its own from the platform's entry point (dist/platform/tf-serving-main.js), since
 * the CLI loads nothing beyond kernel/; its flags and output pass through unchanged, and
 * Ctrl-C or SIGTERM reach it.
 */
import { spawn } from 'node:child_process';
import { distPath } from '../../kernel/paths';

export function tfServingCommand(argv: string[]): Promise<number> {
  const child = spawn(process.execPath, [distPath('platform', 'tf-serving-main.js'), ...argv], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 128 + 15 : 1));
    });
  });
}
