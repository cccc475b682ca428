#!/usr/bin/env node
import 'reflect-metadata';
import { Command, InvalidArgumentError, Option } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ConfigFlags, loadConfig } from '../config/config.loader';
import { AppConfig } from '../config/config.schema';
import { DEMO_MODEL_ID, ensureBenchModel, ensureDemoModel } from '../demo-model/demo-model.file';
import { createApp, serve } from '../main';
import { buildOpenApiDocument } from '../openapi';
import { serviceCommand } from './service.command';
import { modelsCommand, UsageError } from './models.command';
import { VERSION } from '../version';
import { KeyNameTakenError, KeyNotFoundError } from '../auth/managed-key';
import { keysCommand } from './keys.command';
import { usageCommand } from './usage.command';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number of seconds');
  return n;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** With no model configured, serve the built-in demo model. */
function withDemoModel(config: AppConfig): AppConfig {
  if (config.models.length > 0) return config;
  const path = ensureDemoModel(config.dataDir);
  return { ...config, models: [{ id: DEMO_MODEL_ID, path, parallel: 4, gpuLayers: 'auto', aliases: [], preload: config.preload, idleTimeout: config.idleTimeout }] };
}

const program = new Command()
  .name('llamanest')
  .description('OpenAI-compatible LLM server for GGUF models (node-llama-cpp)')
  .version(VERSION);

program
  .command('serve', { isDefault: true })
  .description('serve models over the OpenAI API (the built-in demo model when none is given)')
  .addOption(new Option('-m, --model <[id=]path>', 'a GGUF file or hf:<owner>/<repo>:<file-or-quant> URI; repeat for more models').argParser(collect))
  .option('-c, --config <file>', 'YAML config file')
  .option('--host <host>', 'address to listen on (default 127.0.0.1)')
  .option('-p, --port <port>', 'port to listen on (default 8080)', integer)
  .option('--data-dir <dir>', 'where llamanest keeps its files')
  .option('--models-dir <dir>', 'where hf: models are downloaded')
  .option('--max-queue <n>', 'requests that may wait per model once all sequences are busy', integer)
  .option('--insecure-no-auth', 'allow a non-loopback host without API keys')
  .option('--drain-timeout <seconds>', 'on SIGTERM/SIGINT, how long in-flight requests may finish (default 30)', seconds)
  .option('--discovery', 'advertise the server on the LAN over Bonjour/mDNS')
  .option('--preload', 'load every model at boot (/ready is 503 until done) instead of on first use')
  .option('--idle-timeout <duration>', 'unload a model after this long without requests: seconds or 90s, 15m, 1h (default: never)')
  .option('--max-loaded-models <n>', 'models kept loaded at once; the least recently used idle one is unloaded for another', integer)
  .option('--memory-budget <size>', 'memory the loaded models may take together, e.g. 12gb')
  .option('--no-metrics', 'do not serve GET /metrics')
  .addOption(new Option('--log-format <format>', 'log format (default auto: pretty on a terminal, JSON otherwise)').choices(['auto', 'json', 'pretty']))
  .addOption(new Option('--log-level <level>', 'least severe level logged (default info)').choices(['debug', 'info', 'warn', 'error', 'silent']))
  .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain)')
  .option('--tls-key <file>', 'the PEM private key of --tls-cert')
  .option('--tls-self-signed', "serve HTTPS with a self-signed certificate for this host's LAN names, made once in the data dir")
  .action(async (opts: ConfigFlags & { model?: string[] }) => {
    // commander defaults a --no-x flag to true; only an explicit --no-metrics may override the file.
    const metrics = opts.metrics === false ? false : undefined;
    const config = withDemoModel(loadConfig({ ...opts, metrics, models: opts.model }));
    await serve(config);
  });

program
  .command('openapi')
  .description('print the OpenAPI document of this version (or write it with --out)')
  .option('-o, --out <file>', 'write to a file instead of stdout')
  .action(async (opts: { out?: string }) => {
    const config = { ...loadConfig({ models: [], dataDir: mkdtempSync(join(tmpdir(), 'llamanest-openapi-')) }, {}), logFormat: 'json' as const, logLevel: 'silent' as const };
    const app = await createApp(config, undefined, false);
    const json = `${JSON.stringify(buildOpenApiDocument(app, VERSION), null, 2)}\n`;
    await app.close();
    rmSync(config.dataDir, { recursive: true, force: true });
    if (opts.out) writeFileSync(opts.out, json);
    else process.stdout.write(json);
  });

program
  .command('demo-model')
  .description('write the built-in deterministic demo GGUF model and print its path')
  .option('-d, --dir <dir>', 'directory to write llamanest-demo.gguf into')
  .option('--bench', 'write the random-weight ~64 M-parameter bench model (llamanest-bench.gguf) instead')
  .action((opts: { dir?: string; bench?: boolean }) => {
    const dir = opts.dir ?? loadConfig({}).dataDir;
    process.stdout.write(`${opts.bench ? ensureBenchModel(dir) : ensureDemoModel(dir)}\n`);
  });

program.addCommand(serviceCommand());
program.addCommand(modelsCommand());
program.addCommand(keysCommand());
program.addCommand(usageCommand());

program.parseAsync().catch((error: unknown) => {
  if (error instanceof KeyNotFoundError || error instanceof KeyNameTakenError) {
    process.stderr.write(`llamanest: ${error.message}\n`);
    process.exit(1);
  }
  if (error instanceof ConfigError || error instanceof UsageError) {
    process.stderr.write(`llamanest: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`llamanest: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
