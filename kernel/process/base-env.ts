/**
 * The little of the platform's own environment that every process running user code gets —
 * a training job's node, a service instance: where programs are, the locale and the time
 * zone. Nothing else passes (tokens and the store's keys stay with the platform); each
 * caller adds what its process needs.
 */
export function baseEnv(): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: process.env.LANG ?? 'C.UTF-8',
    TZ: process.env.TZ,
  };
}
