import { isIP } from 'node:net';
import { z } from 'zod';

const positiveInt = z.number().int().positive();

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
/** Seconds as a number, or a string like `90s`, `15m`, `1h`, `500ms`; 0 means never. */
export const durationSchema = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)?$/, 'must be seconds or a duration like 90s, 15m, 1h')])
  .transform((value) => {
    if (typeof value === 'number') return value;
    const [, amount, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value)!;
    return Number(amount) * DURATION_UNITS[unit ?? 's'];
  });

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };
/** Bytes as a number, or a string like `512mb`, `12gb`. */
export const byteSizeSchema = z
  .union([z.number().int().positive(), z.string().regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb|tb)$/i, 'must look like 512mb or 12gb')])
  .transform((value) => {
    if (typeof value === 'number') return value;
    const [, amount, unit] = /^(\d+(?:\.\d+)?)\s*(\w+)$/.exec(value)!;
    return Math.floor(Number(amount) * BYTE_UNITS[unit.toLowerCase()]);
  });

export const modelConfigSchema = z
  .object({
    /** The id clients send as `model`; defaults to the file name without `.gguf`. */
    id: z.string().min(1).regex(/^[^\s/]+$/, 'must not contain spaces or slashes').optional(),
    /** A GGUF path, or an `hf:<owner>/<repo>:<file-or-quant>` URI downloaded once into `modelsDir`. */
    path: z.string().min(1),
    /** Tokens each sequence can hold (prompt + completion). Defaults to the model's training context, capped at 8192. */
    contextSize: positiveInt.optional(),
    /** Requests served at once on separate context sequences. */
    parallel: positiveInt.max(64).default(4),
    /** Layers offloaded to the GPU: `auto`, `max` or a number. */
    gpuLayers: z.union([z.literal('auto'), z.literal('max'), z.number().int().nonnegative()]).default('auto'),
    /** Other names clients may use for this model. */
    aliases: z.array(z.string().min(1)).default([]),
    /** CPU threads for evaluation, fixed; default on CPU-only machines: every core for prompt batches, one fewer for token-by-token decoding; with a GPU, node-llama-cpp's default. */
    threads: positiveInt.optional(),
    /** An embedding model: serves `/v1/embeddings` only, with no generation context (saves its memory). */
    embedding: z.boolean().default(false),
    /** Load at boot instead of on first use; default: the top-level `preload`. */
    preload: z.boolean().optional(),
    /** Unload after this long without requests; default: the top-level `idleTimeout`. */
    idleTimeout: durationSchema.optional(),
  })
  .strict();

/** `10.0.0.0/8`, `192.168.1.7`, `fd00::/8`: an address or a network in CIDR notation. */
const cidr = z.string().refine((value) => {
  const [address, bits, extra] = value.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}, 'must be an IP address or a CIDR network like 192.168.1.0/24');

const tlsSchema = z
  .object({
    /** PEM certificate (chain) file for HTTPS. */
    cert: z.string().min(1).optional(),
    /** PEM private key file for HTTPS. */
    key: z.string().min(1).optional(),
    /** Make (once) and use a self-signed certificate for this host's names, kept in the data directory. */
    selfSigned: z.boolean().default(false),
  })
  .strict()
  .refine((tls) => (tls.cert === undefined) === (tls.key === undefined), 'tls.cert and tls.key must be given together')
  .refine((tls) => !(tls.selfSigned && tls.cert), 'use either tls.cert/tls.key or tls.selfSigned, not both');

export const configSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    /** Serve on a non-loopback address with no API keys. */
    insecureNoAuth: z.boolean().default(false),
    /** Largest accepted request body, e.g. `10mb`. */
    bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 512kb or 10mb').default('10mb'),
    /** Requests that may wait per model once all sequences are busy; beyond that: 503. */
    maxQueue: z.number().int().nonnegative().default(64),
    /** Where llamanest keeps its own files (the demo model, downloads by default). */
    dataDir: z.string().min(1),
    /** Where `hf:` models are downloaded. */
    modelsDir: z.string().min(1).optional(),
    /** Seconds that in-flight requests may take to finish after SIGTERM/SIGINT before they are ended with a 503. */
    drainTimeout: z.number().nonnegative().max(3600).default(30),
    /** Advertise the server on the LAN over Bonjour/mDNS: `true`, or `{ name, interface }`. */
    discovery: z
      .union([z.boolean(), discoveryObjectSchema()])
      .default(false)
      .transform((value): DiscoveryConfig => (typeof value === 'boolean' ? { enabled: value } : value)),
    auth: z.object({ keys: z.array(z.string().min(8, 'API keys must be at least 8 characters')).default([]) }).strict().default({ keys: [] }),
    models: z.array(modelConfigSchema).default([]),
    /** Load every model at boot (`/ready` answers 503 until they are loaded) instead of on first use. */
    preload: z.boolean().default(false),
    /** Unload a model after this long without requests (seconds or `90s`, `15m`, `1h`); 0: never. */
    idleTimeout: durationSchema.default(0),
    /** Models kept loaded at once; loading one more evicts the least recently used idle model. */
    maxLoadedModels: positiveInt.optional(),
    /** Memory the loaded models (weights + contexts, as estimated before loading) may take together, e.g. `12gb`. */
    memoryBudget: byteSizeSchema.optional(),
    /**
     * Linux, CPU backend: give every context a persistent ggml threadpool (as llama-server has) instead
     * of threads started and joined for every decoded token. Off only to compare or to rule it out.
     */
    cpuThreadpool: z.boolean().default(true),
    /**
     * Linux, CPU backend: ggml's buffers of 2 MiB or more (weights repacked for the CPU, the KV cache,
     * compute buffers) on transparent huge pages, so decoding does not take a TLB miss every 4 KiB of
     * weights. Off only to compare or to rule it out.
     */
    hugePages: z.boolean().default(true),
    /**
     * Linux, CPU backend: run small decodes (≤ 16 tokens, ≤ 20 ms by measure) and sampling on the event-loop
     * thread, as llama-server's loop does, instead of handing each token to a worker thread and back.
     * Off only to compare or to rule it out.
     */
    inlineWork: z.boolean().default(true),
    /**
     * Every backend: a stream that is alone in its context decodes each token with the engine's calls
     * directly, not through node-llama-cpp's batch dispatcher (concurrent streams still share a batch).
     * Off only to compare or to rule it out.
     */
    soloDecode: z.boolean().default(true),
    /**
     * Linux, plain HTTP: streamed events are written to the socket from libuv's threadpool (through a
     * duplicate of its descriptor) rather than on the event-loop thread between two decodes. Off only
     * to compare or to rule it out.
     */
    offThreadWrites: z.boolean().default(true),
    /** Serve `GET /metrics` (Prometheus format, API key needed when keys are configured); false answers 404. */
    metrics: z.boolean().default(true),
    /** Log format: JSON lines, human-readable, or `auto` (human-readable on a terminal, JSON otherwise). */
    logFormat: z.enum(['auto', 'json', 'pretty']).default('auto'),
    /** Least severe log level written; `silent` writes none. */
    logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    tls: tlsSchema.default({ selfSigned: false }),
    /** Browser origins allowed to call the API (CORS); none by default. `*` allows any. */
    cors: z.object({ origins: z.array(z.string().min(1)).default([]) }).strict().default({ origins: [] }),
    /** Client addresses allowed to connect (CIDR); empty: everyone who can reach the port. */
    network: z.object({ allow: z.array(cidr).default([]) }).strict().default({ allow: [] }),
  })
  .strict();

function discoveryObjectSchema() {
  return z
    .object({
      enabled: z.boolean().default(true),
      /** The instance name browsers show; default `llamanest on <host name>`. */
      name: z.string().min(1).max(63).optional(),
      /** Advertise only through the interface with this IPv4 address (default: every interface). */
      interface: z.string().refine((v) => isIP(v) === 4, 'must be an IPv4 address').optional(),
    })
    .strict();
}

export interface DiscoveryConfig {
  enabled: boolean;
  name?: string;
  interface?: string;
}

export type ModelConfigInput = z.input<typeof modelConfigSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export interface ModelConfig {
  id: string;
  path: string;
  contextSize?: number;
  parallel: number;
  gpuLayers: 'auto' | 'max' | number;
  aliases: string[];
  threads?: number;
  embedding?: boolean;
  preload?: boolean;
  /** Seconds; 0 means never. */
  idleTimeout?: number;
}

export interface AppConfig {
  host: string;
  port: number;
  insecureNoAuth: boolean;
  bodyLimit: string;
  maxQueue: number;
  drainTimeout: number;
  discovery: DiscoveryConfig;
  dataDir: string;
  modelsDir: string;
  auth: { keys: string[] };
  models: ModelConfig[];
  preload: boolean;
  /** Seconds; 0 means never. */
  idleTimeout: number;
  maxLoadedModels?: number;
  /** Bytes. */
  memoryBudget?: number;
  cpuThreadpool: boolean;
  hugePages: boolean;
  inlineWork: boolean;
  soloDecode: boolean;
  offThreadWrites: boolean;
  metrics: boolean;
  logFormat: 'auto' | 'json' | 'pretty';
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  tls: { cert?: string; key?: string; selfSigned: boolean };
  cors: { origins: string[] };
  network: { allow: string[] };
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
