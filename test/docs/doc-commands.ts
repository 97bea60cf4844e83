/**
 * The commands whose output the pages show (`<!-- doc: output-of=NAME -->`), as a user runs
 * them from the repository with the platform at PLATFORM_URL. `start` is the platform's own
 * start-up banner, which the runner reads from the platform it started.
 */
export const DOC_COMMANDS: Record<string, string> = {
  demo: 'npm run demo --silent',
  digits: 'npm run digits --silent',
  help: 'modelarts-local --help',
};

export const START_BANNER = 'start';
