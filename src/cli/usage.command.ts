import { Command, InvalidArgumentError } from 'commander';
import { keyNames } from '../usage/key-names';
import { parseMoment } from '../usage/time-range';
import { UsageEntry, UsageFilter } from '../usage/usage-ledger';
import { toUsageBuckets } from '../usage/usage-report';
import { DataDirOptions, withStore } from './cli-store';

function moment(value: string): number {
  const ms = parseMoment(value);
  if (ms === undefined) throw new InvalidArgumentError('must be a date (2025-06-01), a date-time, or a duration back from now (7d, 24h)');
  return ms;
}

type UsageOptions = DataDirOptions & { key?: string; model?: string; since?: number; until?: number; requests?: boolean; json?: boolean; csv?: boolean };

const ENTRY_COLUMNS = [
  'time',
  'key_id',
  'key_name',
  'model',
  'endpoint',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'ttft_ms',
  'duration_ms',
  'status',
  'aborted',
] as const;

function entryRow(e: UsageEntry): Record<(typeof ENTRY_COLUMNS)[number], unknown> {
  return {
    time: new Date(e.finishedAt).toISOString(),
    key_id: e.keyId,
    key_name: e.keyName,
    model: e.model,
    endpoint: e.endpoint,
    prompt_tokens: e.promptTokens,
    completion_tokens: e.completionTokens,
    cached_tokens: e.cachedTokens,
    ttft_ms: e.timeToFirstTokenMs,
    duration_ms: e.durationMs,
    status: e.status,
    aborted: e.aborted,
  };
}

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function toCsv(rows: Record<string, unknown>[], columns: readonly string[]): string {
  return [columns.join(','), ...rows.map((row) => columns.map((c) => csvCell(row[c])).join(','))].join('\n');
}

/** `llamanest usage`: the usage ledger, as totals per day, key and model, or one row per request. */
export function usageCommand(): Command {
  return new Command('usage')
    .description('show the usage ledger: totals per day (UTC), key and model, or every request with --requests')
    .option('-c, --config <file>', 'YAML config file (for its dataDir)')
    .option('--data-dir <dir>', 'where llamanest keeps its files')
    .option('--key <id|name>', 'only this key')
    .option('--model <id>', 'only this model')
    .option('--since <when>', 'from: 2025-06-01, an ISO date-time, or 7d / 24h back from now', moment)
    .option('--until <when>', 'until (exclusive), same forms as --since', moment)
    .option('--requests', 'one row per request instead of totals')
    .option('--json', 'print JSON')
    .option('--csv', 'print CSV')
    .action((opts: UsageOptions) => {
      if (opts.json && opts.csv) throw new InvalidArgumentError('choose one of --json and --csv');
      const output = withStore(opts, ({ keys, ledger, config }) => {
        const names = keyNames(keys, config);
        const keyIds = opts.key === undefined ? undefined : [...names].filter(([id, name]) => id === opts.key || name === opts.key).map(([id]) => id);
        const filter: UsageFilter = { keyIds, model: opts.model, since: opts.since, until: opts.until };
        if (opts.requests) {
          const rows = ledger.entries(filter, names).map(entryRow);
          if (opts.json) return JSON.stringify(rows);
          if (opts.csv) return toCsv(rows, ENTRY_COLUMNS);
          return rows.map((r) => ENTRY_COLUMNS.map((c) => r[c] ?? '-').join('  ')).join('\n') || 'No requests recorded.';
        }
        const buckets = toUsageBuckets(ledger.totals(filter), names);
        if (opts.json) return JSON.stringify(buckets);
        const columns = ['date', 'key_id', 'key_name', 'model', 'requests', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'total_tokens'];
        if (opts.csv) return toCsv(buckets as unknown as Record<string, unknown>[], columns);
        return buckets.map((b) => columns.map((c) => (b as unknown as Record<string, unknown>)[c] ?? '-').join('  ')).join('\n') || 'No requests recorded.';
      });
      process.stdout.write(`${output}\n`);
    });
}
