import { ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';

export interface BlockResult {
  output: string;
  /** The commands that failed ("line N: command"), in order; empty when every one succeeded. */
  failures: string[];
}

/**
 * One bash session that runs a page's blocks one after another, as a user pastes them into
 * one terminal: variables set by a block stay for the next. Every failing command is
 * recorded (an ERR trap), not only the last one, and the session goes on.
 */
export class DocShell {
  private child?: ChildProcess;
  private buffer = '';

  constructor(
    private readonly cwd: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  start(): void {
    this.child = spawn('bash', ['--noprofile', '--norc'], { cwd: this.cwd, env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => (this.buffer += chunk.toString('utf8'));
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    // A curl the pages show fails here on an HTTP error (4xx, 5xx), printing the answer, so a
    // refused request is a failed block, not a line of output nobody reads.
    this.child.stdin!.write('curl() { command curl --fail-with-body "$@"; }\n');
  }

  async run(text: string, timeoutMs: number): Promise<BlockResult> {
    const token = `__DOC_${crypto.randomBytes(6).toString('hex')}__`;
    this.buffer = '';
    const script = [
      `__doc_failed=()`,
      `trap '__doc_failed+=("line $LINENO: $BASH_COMMAND")' ERR`,
      text,
      `trap - ERR`,
      `printf '\\n${token}\\n'; printf '%s\\n' "\${__doc_failed[@]}"; printf '${token}\\n'`,
      '',
    ].join('\n');
    const done = new RegExp(`${token}\\n([\\s\\S]*)${token}\\n`);
    const child = this.child!;
    const failed = await new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = done.exec(this.buffer);
        if (m) finish(() => resolve(m[1]));
      };
      const exited = () => finish(() => reject(new Error(`the shell exited (${child.exitCode}):\n${this.buffer}`)));
      const timer = setTimeout(() => finish(() => reject(new Error(`the block did not finish within ${timeoutMs} ms:\n${this.buffer.slice(-4000)}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        child.off('exit', exited);
        settle();
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', exited);
      child.stdin!.write(script);
    });
    return { output: this.buffer.split(`\n${token}\n`)[0], failures: failed.split('\n').filter(Boolean) };
  }

  close(): void {
    this.child?.stdin?.end();
    this.child?.kill('SIGTERM');
  }
}
