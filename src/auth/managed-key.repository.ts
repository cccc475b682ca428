import { Database } from '../database/open-database';
import { generateApiKey, generateKeyId } from './api-key-format';
import { KeyHasher } from './key-hasher';
import { KeyNameTakenError, KeyNotFoundError, ManagedKey, NewKeySpec, NO_LIMITS } from './managed-key';
import { DEFAULT_SCOPES, Scope } from './scopes';

interface KeyRow {
  id: string;
  name: string;
  last4: string;
  models: string;
  scopes: string;
  rpm: number | null;
  tpm: number | null;
  tpd: number | null;
  concurrency: number | null;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

const COLUMNS = 'id, name, last4, models, scopes, rpm, tpm, tpd, concurrency, created_at, expires_at, revoked_at';

/** The API keys table; shared by the server (verify, admin API) and the CLI (another process, same file). */
export class ManagedKeyRepository {
  constructor(
    private readonly db: Database,
    private readonly hasher: KeyHasher,
  ) {}

  /** Creates a key; the clear key is returned only here. */
  create(spec: NewKeySpec, now = Date.now()): { key: ManagedKey; secret: string } {
    const secret = generateApiKey();
    const limits = { ...NO_LIMITS, ...spec.limits };
    const id = generateKeyId();
    try {
      this.db
        .prepare(
          `INSERT INTO api_keys (${COLUMNS}, hash) VALUES (@id, @name, @last4, @models, @scopes, @rpm, @tpm, @tpd, @concurrency, @created_at, @expires_at, NULL, @hash)`,
        )
        .run({
          id,
          name: spec.name,
          last4: secret.slice(-4),
          models: JSON.stringify(spec.models?.length ? spec.models : ['*']),
          scopes: JSON.stringify(spec.scopes?.length ? spec.scopes : DEFAULT_SCOPES),
          ...limits,
          created_at: now,
          expires_at: spec.expiresAt ?? null,
          hash: this.hasher.hash(secret),
        });
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new KeyNameTakenError(spec.name);
      throw error;
    }
    return { key: this.get(id)!, secret };
  }

  list(options: { includeRevoked?: boolean } = {}): ManagedKey[] {
    const where = options.includeRevoked ? '' : 'WHERE revoked_at IS NULL';
    return (this.db.prepare(`SELECT ${COLUMNS} FROM api_keys ${where} ORDER BY created_at, id`).all() as KeyRow[]).map(toKey);
  }

  get(id: string): ManagedKey | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`).get(id) as KeyRow | undefined;
    return row && toKey(row);
  }

  /** An active key by id or name. */
  findActive(idOrName: string): ManagedKey {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE revoked_at IS NULL AND (id = ? OR name = ?)`).get(idOrName, idOrName) as
      | KeyRow
      | undefined;
    if (!row) throw new KeyNotFoundError(idOrName);
    return toKey(row);
  }

  /** The active, unexpired key whose clear text hashes to this; the lookup is by the keyed hash itself. */
  findByHash(hash: Buffer, now = Date.now()): (ManagedKey & { hash: Buffer }) | undefined {
    const row = this.db
      .prepare(`SELECT ${COLUMNS}, hash FROM api_keys WHERE hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`)
      .get(hash, now) as (KeyRow & { hash: Buffer }) | undefined;
    return row && { ...toKey(row), hash: row.hash };
  }

  /** Whether any managed key was ever created: from then on the API requires keys, even if all are revoked. */
  hasAny(): boolean {
    return (this.db.prepare('SELECT EXISTS (SELECT 1 FROM api_keys) AS present').get() as { present: number }).present === 1;
  }

  revoke(idOrName: string, now = Date.now()): ManagedKey {
    const key = this.findActive(idOrName);
    this.db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(now, key.id);
    return this.get(key.id)!;
  }

  /** Replaces a key's secret, keeping its id, name, models, scopes and limits; the old secret stops working at once. */
  rotate(idOrName: string): { key: ManagedKey; secret: string } {
    const key = this.findActive(idOrName);
    const secret = generateApiKey();
    this.db.prepare('UPDATE api_keys SET hash = ?, last4 = ? WHERE id = ?').run(this.hasher.hash(secret), secret.slice(-4), key.id);
    return { key: this.get(key.id)!, secret };
  }
}

function toKey(row: KeyRow): ManagedKey {
  return {
    id: row.id,
    name: row.name,
    last4: row.last4,
    models: JSON.parse(row.models) as string[],
    scopes: JSON.parse(row.scopes) as Scope[],
    limits: { rpm: row.rpm, tpm: row.tpm, tpd: row.tpd, concurrency: row.concurrency },
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}
