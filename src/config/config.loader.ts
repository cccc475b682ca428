import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppConfig, configSchema, isLoopbackHost, ModelConfig } from './config.schema';

/** Settings given on the command line; undefined means "not given". */
export interface ConfigFlags {
  config?: string;
  host?: string;
  port?: number;
  models?: string[];
  insecureNoAuth?: boolean;
  dataDir?: string;
  modelsDir?: string;
  maxQueue?: number;
  drainTimeout?: number;
  discovery?: boolean;
  preload?: boolean;
  idleTimeout?: string;
  maxLoadedModels?: number;
  memoryBudget?: string;
  metrics?: boolean;
  logFormat?: string;
  logLevel?: string;
  tlsCert?: string;
  tlsKey?: string;
  tlsSelfSigned?: boolean;
}

export class ConfigError extends Error {}


export function defaultDataDir(platform = process.platform, home = homedir()): string {
  return platform === 'darwin' ? join(home, 'Library', 'Application Support', 'llamanest') : join(home, '.local', 'share', 'llamanest');
}

/**
 * Builds the validated configuration: config file, overridden by flags, overridden by
 * LLAMANEST_* environment variables. The only place that reads process.env.
 */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const configPath = env.LLAMANEST_CONFIG ?? flags.config;
  const fromFile = configPath ? readConfigFile(configPath) : {};
  const merged: Record<string, unknown> = { ...fromFile };
  // Folders and files written in the file are relative to the file (launchd runs us from /).
  for (const key of ['dataDir', 'modelsDir']) {
    if (configPath && typeof merged[key] === 'string') merged[key] = resolve(configPath, '..', merged[key] as string);
  }
  const tls: Record<string, unknown> = { ...(merged.tls as object | undefined) };
  for (const key of ['cert', 'key']) {
    if (configPath && typeof tls[key] === 'string') tls[key] = resolve(configPath, '..', tls[key] as string);
  }
  const setTls = (key: string, value: unknown) => {
    if (value !== undefined) tls[key] = value;
  };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) merged[key] = value;
  };

  set('host', flags.host);
  set('port', flags.port);
  set('insecureNoAuth', flags.insecureNoAuth || undefined);
  set('dataDir', flags.dataDir);
  set('modelsDir', flags.modelsDir);
  set('maxQueue', flags.maxQueue);
  set('drainTimeout', flags.drainTimeout);
  if (flags.discovery !== undefined) merged.discovery = withDiscoveryEnabled(merged.discovery, flags.discovery);
  set('preload', flags.preload || undefined);
  set('idleTimeout', durationValue(flags.idleTimeout));
  set('maxLoadedModels', flags.maxLoadedModels);
  set('memoryBudget', flags.memoryBudget);
  set('metrics', flags.metrics);
  set('logFormat', flags.logFormat);
  set('logLevel', flags.logLevel);
  setTls('cert', flags.tlsCert && resolve(flags.tlsCert));
  setTls('key', flags.tlsKey && resolve(flags.tlsKey));
  setTls('selfSigned', flags.tlsSelfSigned || undefined);
  // Model paths from the file are relative to the file; those typed as flags or env, to the working directory.
  let modelsBaseDir = configPath ? resolve(configPath, '..') : process.cwd();
  if (flags.models?.length) {
    merged.models = flags.models.map(parseModelFlag);
    modelsBaseDir = process.cwd();
  }

  set('host', env.LLAMANEST_HOST);
  set('port', envNumber(env, 'LLAMANEST_PORT'));
  set('insecureNoAuth', envBoolean(env, 'LLAMANEST_INSECURE_NO_AUTH'));
  set('dataDir', env.LLAMANEST_DATA_DIR);
  set('modelsDir', env.LLAMANEST_MODELS_DIR);
  set('maxQueue', envNumber(env, 'LLAMANEST_MAX_QUEUE'));
  set('bodyLimit', env.LLAMANEST_BODY_LIMIT);
  set('drainTimeout', envNumber(env, 'LLAMANEST_DRAIN_TIMEOUT'));
  const discovery = envBoolean(env, 'LLAMANEST_DISCOVERY');
  if (discovery !== undefined) merged.discovery = withDiscoveryEnabled(merged.discovery, discovery);
  if (env.LLAMANEST_DISCOVERY_INTERFACE) {
    merged.discovery = { ...discoveryObject(merged.discovery), interface: env.LLAMANEST_DISCOVERY_INTERFACE };
  }
  set('preload', envBoolean(env, 'LLAMANEST_PRELOAD'));
  set('idleTimeout', durationValue(env.LLAMANEST_IDLE_TIMEOUT));
  set('maxLoadedModels', envNumber(env, 'LLAMANEST_MAX_LOADED_MODELS'));
  set('memoryBudget', env.LLAMANEST_MEMORY_BUDGET);
  set('metrics', envBoolean(env, 'LLAMANEST_METRICS'));
  set('cpuThreadpool', envBoolean(env, 'LLAMANEST_CPU_THREADPOOL'));
  set('hugePages', envBoolean(env, 'LLAMANEST_HUGE_PAGES'));
  set('inlineWork', envBoolean(env, 'LLAMANEST_INLINE_WORK'));
  set('soloDecode', envBoolean(env, 'LLAMANEST_SOLO_DECODE'));
  set('offThreadWrites', envBoolean(env, 'LLAMANEST_OFF_THREAD_WRITES'));
  set('logFormat', env.LLAMANEST_LOG_FORMAT);
  set('logLevel', env.LLAMANEST_LOG_LEVEL);
  if (env.LLAMANEST_MODELS) {
    merged.models = splitList(env.LLAMANEST_MODELS).map(parseModelFlag);
    modelsBaseDir = process.cwd();
  }
  if (env.LLAMANEST_API_KEYS !== undefined) {
    merged.auth = { ...(merged.auth as object | undefined), keys: splitList(env.LLAMANEST_API_KEYS) };
  }
  setTls('cert', env.LLAMANEST_TLS_CERT && resolve(env.LLAMANEST_TLS_CERT));
  setTls('key', env.LLAMANEST_TLS_KEY && resolve(env.LLAMANEST_TLS_KEY));
  setTls('selfSigned', envBoolean(env, 'LLAMANEST_TLS_SELF_SIGNED'));
  if (Object.keys(tls).length > 0) merged.tls = tls;
  if (env.LLAMANEST_CORS_ORIGINS !== undefined) merged.cors = { origins: splitList(env.LLAMANEST_CORS_ORIGINS) };
  if (env.LLAMANEST_ALLOW !== undefined) merged.network = { allow: splitList(env.LLAMANEST_ALLOW) };
  merged.dataDir ??= defaultDataDir();

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error, configPath));
  const config = parsed.data;
  const dataDir = resolve(config.dataDir);
  const models = config.models.map((m): ModelConfig => ({
    ...m,
    preload: m.preload ?? config.preload,
    idleTimeout: m.idleTimeout ?? config.idleTimeout,
    id: m.id ?? modelIdFromPath(m.path),
    path: m.path.startsWith('hf:') || /^https?:\/\//.test(m.path) ? m.path : resolve(modelsBaseDir, m.path),
  }));
  checkUniqueNames(models);

  return {
    ...config,
    dataDir,
    modelsDir: resolve(config.modelsDir ?? join(dataDir, 'models')),
    models,
  };
}

/**
 * A server on a non-loopback address must require keys, static or managed (created with
 * `llamanest keys create`), unless --insecure-no-auth says otherwise. Checked when serving, once
 * the key database is open; the other commands need no such check.
 */
export function checkLanAccess(config: AppConfig, hasManagedKeys: boolean): void {
  if (config.auth.keys.length === 0 && !hasManagedKeys && !isLoopbackHost(config.host) && !config.insecureNoAuth) {
    throw new ConfigError(
      `refusing to listen on ${config.host} without API keys: anyone on the network could use the server. ` +
        'Create one with `llamanest keys create --name NAME`, set LLAMANEST_API_KEYS (or auth.keys in the config file), or pass --insecure-no-auth.',
    );
  }
}

/** `discovery` as written in the file (boolean or object) with `enabled` overridden. */
function withDiscoveryEnabled(current: unknown, enabled: boolean): unknown {
  return { ...discoveryObject(current), enabled };
}

function discoveryObject(current: unknown): Record<string, unknown> {
  if (current && typeof current === 'object') return current as Record<string, unknown>;
  return { enabled: current === true };
}

/** `--model ./x.gguf` or `--model id=./x.gguf`. */
export function parseModelFlag(value: string): { id?: string; path: string } {
  const match = /^([^=:/\\]+)=(.+)$/.exec(value);
  return match ? { id: match[1], path: match[2] } : { path: value };
}

export function modelIdFromPath(path: string): string {
  if (path.startsWith('hf:')) {
    // hf:<owner>/<repo>:<file-or-quant> -> the file's name, or "<repo>:<quant>" so quants of different repos stay distinct
    const [repo, file] = path.slice(3).split(':');
    if (!file) return basename(repo).replace(/\.gguf$/i, '');
    return /\.gguf$/i.test(file) ? basename(file).replace(/\.gguf$/i, '') : `${basename(repo)}:${file}`;
  }
  return basename(path).replace(/\.gguf$/i, '');
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is not valid YAML: ${(error as Error).message}`);
  }
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new ConfigError(`config file ${path} must hold a mapping of settings`);
  return data as Record<string, unknown>;
}

function checkUniqueNames(models: ModelConfig[]): void {
  const seen = new Set<string>();
  for (const name of models.flatMap((m) => [m.id, ...m.aliases])) {
    if (seen.has(name)) throw new ConfigError(`model name "${name}" is used twice (ids and aliases must be unique)`);
    seen.add(name);
  }
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A duration typed as a flag or env value: plain digits are seconds, like in the config file. */
function durationValue(raw: string | undefined): string | number | undefined {
  if (raw === undefined || raw === '') return undefined;
  return /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
}

function envNumber(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new ConfigError(`${name} must be a number, got "${raw}"`);
  return n;
}

function envBoolean(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return undefined;
  if (['1', 'true', 'yes'].includes(raw)) return true;
  if (['0', 'false', 'no'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function formatIssues(error: z.ZodError, configPath?: string): string {
  const lines = error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return `invalid configuration${configPath ? ` (file ${configPath}, flags and LLAMANEST_* env)` : ''}:\n${lines.join('\n')}`;
}
