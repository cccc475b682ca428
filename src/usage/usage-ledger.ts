import { Database } from '../database/open-database';
import { FinishedRequest } from './finished-request';

export interface UsageFilter {
  keyIds?: string[];
  model?: string;
  /** Unix milliseconds, inclusive. */
  since?: number;
  /** Unix milliseconds, exclusive. */
  until?: number;
}

/** Totals of one UTC day, key and model. */
export interface UsageTotals {
  date: string;
  keyId: string;
  model: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
}

export interface UsageEntry extends FinishedRequest {
  id: number;
}

/**
 * The usage ledger: one row per finished metered request, written synchronously (WAL) before the
 * response completes. The server writes it; the CLI and the admin API read it.
 */
export class UsageLedger {
  private readonly insert;
  private readonly window;

  constructor(private readonly db: Database) {
    this.insert = db.prepare(
      `INSERT INTO usage (ts, key_id, model, endpoint, prompt_tokens, completion_tokens, cached_tokens, ttft_ms, duration_ms, status, aborted)
       VALUES (@finishedAt, @keyId, @model, @endpoint, @promptTokens, @completionTokens, @cachedTokens, @timeToFirstTokenMs, @durationMs, @status, @aborted)`,
    );
    this.window = db.prepare(
      'SELECT COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS tokens, MIN(ts) AS oldest FROM usage WHERE key_id = ? AND ts >= ?',
    );
  }

  record(request: FinishedRequest): void {
    const { keyName: _name, ...row } = request;
    this.insert.run({ ...row, aborted: row.aborted ? 1 : 0 });
  }

  /** Prompt + completion tokens a key used since a moment, and when the oldest of those requests finished. */
  tokensSince(keyId: string, since: number): { tokens: number; oldest: number | null } {
    return this.window.get(keyId, since) as { tokens: number; oldest: number | null };
  }

  totals(filter: UsageFilter = {}): UsageTotals[] {
    const { where, params } = toWhere(filter);
    return this.db
      .prepare(
        `SELECT strftime('%Y-%m-%d', ts / 1000, 'unixepoch') AS date, key_id AS keyId, model, COUNT(*) AS requests,
                SUM(prompt_tokens) AS promptTokens, SUM(completion_tokens) AS completionTokens, SUM(cached_tokens) AS cachedTokens
         FROM usage ${where} GROUP BY date, key_id, model ORDER BY date, key_id, model`,
      )
      .all(params) as UsageTotals[];
  }

  entries(filter: UsageFilter = {}, keyNames: ReadonlyMap<string, string> = new Map()): UsageEntry[] {
    const { where, params } = toWhere(filter);
    const rows = this.db
      .prepare(
        `SELECT id, ts AS finishedAt, key_id AS keyId, model, endpoint, prompt_tokens AS promptTokens, completion_tokens AS completionTokens,
                cached_tokens AS cachedTokens, ttft_ms AS timeToFirstTokenMs, duration_ms AS durationMs, status, aborted
         FROM usage ${where} ORDER BY id`,
      )
      .all(params) as (Omit<UsageEntry, 'aborted' | 'keyName'> & { aborted: number })[];
    return rows.map((row) => ({ ...row, keyName: keyNames.get(row.keyId) ?? row.keyId, aborted: row.aborted === 1 }));
  }
}

function toWhere(filter: UsageFilter): { where: string; params: Record<string, unknown> } {
  const clauses: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.keyIds) {
    const names = filter.keyIds.map((id, i) => {
      params[`key${i}`] = id;
      return `@key${i}`;
    });
    clauses.push(names.length ? `key_id IN (${names.join(', ')})` : '0');
  }
  if (filter.model !== undefined) {
    clauses.push('model = @model');
    params.model = filter.model;
  }
  if (filter.since !== undefined) {
    clauses.push('ts >= @since');
    params.since = filter.since;
  }
  if (filter.until !== undefined) {
    clauses.push('ts < @until');
    params.until = filter.until;
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}
