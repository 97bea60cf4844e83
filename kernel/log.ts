/** Platform log lines on stderr/stdout, with a level and time; LOG_LEVEL=silent keeps info and warnings back. */
const quiet = () => process.env.LOG_LEVEL === 'silent';

function line(level: string, message: string, err?: unknown): string {
  const detail = err instanceof Error ? ` ${err.stack ?? err.message}` : err !== undefined ? ` ${String(err)}` : '';
  return `${new Date().toISOString()} ${level} ${message}${detail}`;
}

export const log = {
  info(message: string): void {
    if (!quiet()) process.stdout.write(line('info ', message) + '\n');
  },
  warn(message: string, err?: unknown): void {
    if (!quiet()) process.stderr.write(line('warn ', message, err) + '\n');
  },
  error(message: string, err?: unknown): void {
    process.stderr.write(line('error', message, err) + '\n');
  },
};
