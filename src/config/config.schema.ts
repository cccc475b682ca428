import { isIP } from 'node:net';
import { z } from 'zod';

const positiveInt = z.number().int().positive();

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
    /** CPU threads for evaluation; default: one per core, minus one for the HTTP event loop on CPU-only machines. */
    threads: positiveInt.optional(),
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
    auth: z.object({ keys: z.array(z.string().min(8, 'API keys must be at least 8 characters')).default([]) }).strict().default({ keys: [] }),
    models: z.array(modelConfigSchema).default([]),
    tls: tlsSchema.default({ selfSigned: false }),
    /** Browser origins allowed to call the API (CORS); none by default. `*` allows any. */
    cors: z.object({ origins: z.array(z.string().min(1)).default([]) }).strict().default({ origins: [] }),
    /** Client addresses allowed to connect (CIDR); empty: everyone who can reach the port. */
    network: z.object({ allow: z.array(cidr).default([]) }).strict().default({ allow: [] }),
  })
  .strict();

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
}

export interface AppConfig {
  host: string;
  port: number;
  insecureNoAuth: boolean;
  bodyLimit: string;
  maxQueue: number;
  dataDir: string;
  modelsDir: string;
  auth: { keys: string[] };
  models: ModelConfig[];
  tls: { cert?: string; key?: string; selfSigned: boolean };
  cors: { origins: string[] };
  network: { allow: string[] };
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
