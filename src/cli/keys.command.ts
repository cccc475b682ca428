import { Command, InvalidArgumentError } from 'commander';
import { toApiKeyDto } from '../admin/api-key-view';
import { ManagedKey } from '../auth/managed-key';
import { isScope, Scope, SCOPES } from '../auth/scopes';
import { parseDuration } from '../usage/time-range';
import { DataDirOptions, withStore } from './cli-store';

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

function list(value: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('must name at least one');
  return items;
}

function scopes(value: string): Scope[] {
  const items = list(value);
  const bad = items.find((s) => !isScope(s));
  if (bad) throw new InvalidArgumentError(`unknown scope '${bad}' (scopes: ${SCOPES.join(', ')})`);
  return items as Scope[];
}

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('must look like 30d, 12h, 90m or 2w');
  return ms;
}

/** A key as the CLI prints it in JSON: the admin API's shape, without the server-only `in_flight`. */
function keyJson(key: ManagedKey, secret?: string) {
  const { in_flight: _inFlight, ...dto } = toApiKeyDto(key);
  return secret === undefined ? dto : { ...dto, key: secret };
}

function describeLimits(key: ManagedKey): string {
  const { rpm, tpm, tpd, concurrency } = key.limits;
  const parts = [rpm && `${rpm} rpm`, tpm && `${tpm} tpm`, tpd && `${tpd} tpd`, concurrency && `${concurrency} concurrent`].filter(Boolean);
  return parts.length ? parts.join(', ') : 'unlimited';
}

const print = (text: string): void => void process.stdout.write(`${text}\n`);

function printCreated(verb: string, key: ManagedKey, secret: string): void {
  print(`${verb} ${key.id} (${key.name}): scopes ${key.scopes.join(', ')}; models ${key.models.join(', ')}; ${describeLimits(key)}`);
  print(secret);
  print('Store this key now: it is not kept in clear and cannot be shown again.');
}

type CreateOptions = DataDirOptions & {
  name: string;
  models?: string[];
  scopes?: Scope[];
  rpm?: number;
  tpm?: number;
  tpd?: number;
  concurrency?: number;
  expires?: number;
  json?: boolean;
};

/** `llamanest keys create|list|revoke|rotate`: manage API keys in the data directory, also while the server runs. */
export function keysCommand(): Command {
  const keys = new Command('keys').description('manage API keys (works while the server runs; changes apply within a second)');
  const dataDirOptions = (command: Command) =>
    command.option('-c, --config <file>', 'YAML config file (for its dataDir)').option('--data-dir <dir>', 'where llamanest keeps its files');

  dataDirOptions(
    keys
      .command('create')
      .description('create a key and print it (the only time it is shown)')
      .requiredOption('--name <name>', 'unique name, e.g. the team')
      .option('--models <ids>', 'comma list of model ids or aliases the key may use (default: all)', list)
      .option('--scopes <scopes>', `comma list of ${SCOPES.join(', ')} (default: inference,embeddings)`, scopes)
      .option('--rpm <n>', 'requests per minute', positive)
      .option('--tpm <n>', 'prompt + completion tokens per minute', positive)
      .option('--tpd <n>', 'prompt + completion tokens per rolling 24 hours', positive)
      .option('--concurrency <n>', 'requests in flight at once', positive)
      .option('--expires <duration>', 'lifetime: 30d, 12h, 90m, 2w (default: never)', duration)
      .option('--json', 'print JSON: {"id","name","key",…}'),
  ).action((opts: CreateOptions) => {
    const { key, secret } = withStore(opts, ({ keys: repo }) =>
      repo.create({
        name: opts.name,
        models: opts.models,
        scopes: opts.scopes,
        limits: { rpm: opts.rpm ?? null, tpm: opts.tpm ?? null, tpd: opts.tpd ?? null, concurrency: opts.concurrency ?? null },
        expiresAt: opts.expires === undefined ? null : Date.now() + opts.expires,
      }),
    );
    if (opts.json) print(JSON.stringify(keyJson(key, secret)));
    else printCreated('Created', key, secret);
  });

  dataDirOptions(keys.command('list').description('list keys (never the keys themselves)').option('--all', 'include revoked keys').option('--json', 'print JSON')).action(
    (opts: DataDirOptions & { all?: boolean; json?: boolean }) => {
      const found = withStore(opts, ({ keys: repo }) => repo.list({ includeRevoked: opts.all }));
      if (opts.json) {
        print(JSON.stringify(found.map((k) => keyJson(k))));
        return;
      }
      if (found.length === 0) print('No keys. Create one with: llamanest keys create --name NAME');
      for (const k of found) {
        const state = k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt <= Date.now() ? 'expired' : 'active';
        const expiry = k.expiresAt ? `, expires ${new Date(k.expiresAt).toISOString()}` : '';
        print(`${k.id}  ${k.name}  ${toApiKeyDto(k).redacted_key}  ${state}  scopes ${k.scopes.join(',')}  models ${k.models.join(',')}  ${describeLimits(k)}${expiry}`);
      }
    },
  );

  dataDirOptions(keys.command('revoke <key>').description('revoke a key by id or name; it stops working within a second').option('--json', 'print JSON')).action(
    (idOrName: string, opts: DataDirOptions & { json?: boolean }) => {
      const key = withStore(opts, ({ keys: repo }) => repo.revoke(idOrName));
      print(opts.json ? JSON.stringify(keyJson(key)) : `Revoked ${key.id} (${key.name}).`);
    },
  );

  dataDirOptions(
    keys.command('rotate <key>').description('replace a key (by id or name) with a new one, keeping its settings').option('--json', 'print JSON'),
  ).action((idOrName: string, opts: DataDirOptions & { json?: boolean }) => {
    const { key, secret } = withStore(opts, ({ keys: repo }) => repo.rotate(idOrName));
    if (opts.json) print(JSON.stringify(keyJson(key, secret)));
    else printCreated('Rotated', key, secret);
  });
  return keys;
}
