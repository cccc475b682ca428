import { Command } from 'commander';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigFlags, loadConfig, modelIdFromPath } from '../config/config.loader';
import { AppConfig } from '../config/config.schema';
import { inspectModelFile, pullModelFile } from '../inference/node-llama-cpp.adapter';

interface Row {
  id: string;
  path: string;
}

/** `llamanest models pull|list|rm`: the models directory and the configured models. */
export function modelsCommand(): Command {
  const models = new Command('models').description('download, list and remove GGUF models');
  const withConfigOptions = (command: Command) =>
    command
      .option('-c, --config <file>', 'YAML config file (its models are listed too)')
      .option('--data-dir <dir>', 'where llamanest keeps its files')
      .option('--models-dir <dir>', 'the models directory (default <data dir>/models)');

  withConfigOptions(models.command('pull <uri>'))
    .description('download hf:<owner>/<repo>:<file-or-quant> or an https URL into the models directory, with a progress bar')
    .action(async (uri: string, opts: ConfigFlags) => {
      if (!/^(hf:|https?:\/\/)/.test(uri)) throw new UsageError(`expected an hf:<owner>/<repo>:<file-or-quant> URI or an https URL, got "${uri}"`);
      const path = await pullModelFile(uri, config(opts).modelsDir);
      process.stdout.write(`${path}\n`);
    });

  withConfigOptions(models.command('list'))
    .alias('ls')
    .description('list the configured models and the GGUF files in the models directory: size, quantization, context, where')
    .action(async (opts: ConfigFlags) => {
      const rows = listRows(config(opts));
      const table = [['ID', 'SIZE', 'QUANT', 'CONTEXT', 'WHERE']];
      for (const row of rows) {
        if (!existsSync(row.path)) {
          table.push([row.id, '-', '-', '-', `${row.path}${/^(hf:|https?:)/.test(row.path) ? ' (not downloaded)' : ' (missing)'}`]);
          continue;
        }
        const info = await inspectModelFile(row.path).catch(() => undefined);
        table.push([row.id, formatSize(statSync(row.path).size), info?.quant ?? '?', info?.trainContext ? String(info.trainContext) : '?', row.path]);
      }
      process.stdout.write(`${formatTable(table)}\n`);
    });

  withConfigOptions(models.command('rm <name>'))
    .alias('remove')
    .description('delete a model file from the models directory (by file name, with or without .gguf)')
    .action((name: string, opts: ConfigFlags) => {
      const { modelsDir } = config(opts);
      const file = ggufFiles(modelsDir).find((f) => f === name || f === `${name}.gguf`);
      if (!file || basename(name) !== name) throw new UsageError(`no model file "${name}" in ${modelsDir} (see llamanest models list)`);
      rmSync(join(modelsDir, file));
      process.stdout.write(`removed ${join(modelsDir, file)}\n`);
    });
  return models;
}

/** A mistake of the user's: printed without a stack, exit code 2. */
export class UsageError extends Error {}

function config(opts: ConfigFlags): AppConfig {
  return loadConfig({ config: opts.config, dataDir: opts.dataDir, modelsDir: opts.modelsDir });
}

function listRows(config: AppConfig): Row[] {
  const rows: Row[] = config.models.map((m) => ({ id: m.id, path: m.path }));
  const known = new Set(rows.map((r) => r.path));
  for (const file of ggufFiles(config.modelsDir)) {
    const path = join(config.modelsDir, file);
    if (!known.has(path)) rows.push({ id: modelIdFromPath(path), path });
  }
  return rows;
}

function ggufFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith('.gguf'))
    .sort();
}

function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col])).join('  ').trimEnd()).join('\n');
}
