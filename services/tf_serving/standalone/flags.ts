/**
 * tensorflow_model_server's command line, as far as it is served here: one model
 * (`--model_name`, `--model_base_path`) or several (`--model_config_file`, TF Serving's
 * text-format ModelServerConfig), the gRPC `--port`, `--rest_api_port`, and how often
 * the base paths and the config file are polled. Flags are `--name=value` or `--name value`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseTextProto, type TextMessage } from './text-proto';
import { PlatformError } from '../../../kernel/errors';

export type VersionPolicy = { kind: 'latest'; count: number } | { kind: 'all' } | { kind: 'specific'; versions: number[] };

export interface ModelEntry {
  name: string;
  basePath: string;
  policy: VersionPolicy;
}

export interface ServerFlags {
  port: number;
  restApiPort: number;
  /** Where both ports listen: loopback unless --host says otherwise (ours: TF Serving has no such flag). */
  host: string;
  models: ModelEntry[];
  configFile?: string;
  pollSeconds: number;
  configPollSeconds: number;
}

export class FlagError extends PlatformError {}

const KNOWN = ['port', 'rest_api_port', 'host', 'model_name', 'model_base_path', 'model_config_file', 'file_system_poll_wait_seconds', 'model_config_file_poll_wait_seconds'];

export function parseFlags(argv: string[]): ServerFlags {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const match = /^--?([a-z_]+)(?:=(.*))?$/.exec(argv[i]);
    if (!match) throw new FlagError(`unexpected argument ${argv[i]}; flags are --name=value`);
    if (!KNOWN.includes(match[1])) throw new FlagError(`unknown flag --${match[1]}; known: ${KNOWN.map((k) => `--${k}`).join(', ')}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new FlagError(`--${match[1]} needs a value`);
    values.set(match[1], value);
  }
  const number = (name: string, fallback: number) => {
    const raw = values.get(name);
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new FlagError(`--${name} must be a number ≥ 0 (got ${raw})`);
    return n;
  };
  const configFile = values.get('model_config_file');
  const flags: ServerFlags = {
    port: number('port', 8500),
    restApiPort: number('rest_api_port', 0),
    host: values.get('host') ?? '127.0.0.1',
    models: [],
    configFile: configFile ? path.resolve(configFile) : undefined,
    pollSeconds: number('file_system_poll_wait_seconds', 1),
    configPollSeconds: number('model_config_file_poll_wait_seconds', 0),
  };
  if (configFile && values.has('model_base_path')) throw new FlagError('give --model_config_file or --model_base_path, not both');
  if (configFile) flags.models = readModelConfig(flags.configFile!);
  else if (values.has('model_base_path')) flags.models = [{ name: values.get('model_name') ?? 'default', basePath: path.resolve(values.get('model_base_path')!), policy: { kind: 'latest', count: 1 } }];
  else throw new FlagError('say what to serve: --model_name=<name> --model_base_path=<folder of numbered versions>, or --model_config_file=<file>');
  return flags;
}

/** The models of a ModelServerConfig text file (`model_config_list { config { name: … base_path: … } … }`). */
export function readModelConfig(file: string): ModelEntry[] {
  let root: TextMessage;
  try {
    root = parseTextProto(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FlagError(`${file}: ${(err as Error).message}`);
  }
  const list = root.model_config_list?.[0] as TextMessage | undefined;
  const configs = (list?.config ?? []) as TextMessage[];
  if (!configs.length) throw new FlagError(`${file} lists no models: it needs model_config_list { config { name: "…" base_path: "…" } }`);
  return configs.map((c, i) => {
    const name = c.name?.[0];
    const base = c.base_path?.[0];
    if (typeof name !== 'string' || typeof base !== 'string') throw new FlagError(`${file}: config ${i + 1} needs name and base_path`);
    const platform = c.model_platform?.[0];
    if (platform !== undefined && platform !== 'tensorflow') throw new FlagError(`${file}: model ${name} has model_platform "${String(platform)}"; only tensorflow is served`);
    return { name, basePath: path.resolve(path.dirname(file), base), policy: versionPolicy(c.model_version_policy?.[0] as TextMessage | undefined) };
  });
}

function versionPolicy(message: TextMessage | undefined): VersionPolicy {
  if (!message) return { kind: 'latest', count: 1 };
  if (message.all) return { kind: 'all' };
  const specific = message.specific?.[0] as TextMessage | undefined;
  if (specific) return { kind: 'specific', versions: (specific.versions ?? []).map(Number) };
  const latest = message.latest?.[0] as TextMessage | undefined;
  return { kind: 'latest', count: Number(latest?.num_versions?.[0] ?? 1) };
}
