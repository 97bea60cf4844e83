/** Reading settings from the environment: one typed reader per kind of value, and the one error for a bad value. */

export class ConfigError extends Error {
  constructor(readonly variable: string, readonly accepts: string, readonly value: string) {
    super(`${variable}=${JSON.stringify(value)} is not valid: ${variable} accepts ${accepts}`);
  }
}

export type Env = Record<string, string | undefined>;

/** Reads settings of one environment; every bad value is a ConfigError naming the variable and what it accepts. */
export class Reader {
  constructor(private readonly env: Env) {}

  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  optionalPattern(name: string, re: RegExp, accepts: string): string | undefined {
    const value = this.optional(name);
    if (value !== undefined && !re.test(value)) throw new ConfigError(name, accepts, value);
    return value;
  }

  string(name: string, fallback: string): string {
    return this.optional(name) ?? fallback;
  }

  /** A value that `re` (a RegExp, or any test) accepts. */
  pattern(name: string, fallback: string, re: { test(value: string): boolean }, accepts: string): string {
    const value = this.string(name, fallback);
    if (!re.test(value)) throw new ConfigError(name, accepts, value);
    return value;
  }

  /** A comma-separated list whose every item matches `re`; empty when unset. */
  list(name: string, re: RegExp, accepts: string): string[] {
    const raw = this.optional(name);
    if (raw === undefined) return [];
    const items = raw.split(',').map((item) => item.trim()).filter((item) => item);
    if (items.some((item) => !re.test(item))) throw new ConfigError(name, accepts, raw);
    return items;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      throw new ConfigError(name, `a whole number from ${min} to ${max}`, raw);
    }
    return value;
  }

  port(name: string, fallback: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) > 65535) {
      throw new ConfigError(name, 'a TCP port from 0 to 65535 (0 picks a free port)', raw);
    }
    return Number(raw);
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const v = raw.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new ConfigError(name, 'true or false (also 1/0, yes/no, on/off)', raw);
  }

  host(name: string, fallback: string): string {
    const value = this.string(name, fallback);
    const hostname = /^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/;
    const ipv6 = /^[0-9A-Fa-f:]+$/;
    if (!hostname.test(value) && !ipv6.test(value)) {
      throw new ConfigError(name, 'a host name or IP address to listen on, such as 127.0.0.1 or 0.0.0.0', value);
    }
    return value;
  }

  url(name: string): string | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError(name, 'an http:// or https:// URL such as http://minio:9000', raw);
    }
    if (!['http:', 'https:'].includes(parsed.protocol) || parsed.pathname.length > 1) {
      throw new ConfigError(name, 'an http:// or https:// URL with no path, such as http://minio:9000', raw);
    }
    return `${parsed.protocol}//${parsed.host}`;
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
