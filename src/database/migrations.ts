/**
 * Versioned schema migrations, applied in order; the database's `user_version` is the number of
 * migrations applied. Never edit a released migration: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    hash        BLOB NOT NULL UNIQUE,
    last4       TEXT NOT NULL,
    models      TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    rpm         INTEGER,
    tpm         INTEGER,
    tpd         INTEGER,
    concurrency INTEGER,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER,
    revoked_at  INTEGER
  );
  CREATE UNIQUE INDEX api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL;

  CREATE TABLE usage (
    id                INTEGER PRIMARY KEY,
    ts                INTEGER NOT NULL,
    key_id            TEXT,
    model             TEXT,
    endpoint          TEXT NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cached_tokens     INTEGER NOT NULL,
    ttft_ms           INTEGER,
    duration_ms       INTEGER NOT NULL,
    status            INTEGER NOT NULL,
    aborted           INTEGER NOT NULL
  );
  CREATE INDEX usage_key_ts ON usage(key_id, ts);
  CREATE INDEX usage_ts ON usage(ts);
  `,
  `
  CREATE TABLE responses (
    id         TEXT PRIMARY KEY,
    key_id     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    response   TEXT NOT NULL,
    history    TEXT NOT NULL
  );
  CREATE INDEX responses_created_at ON responses(created_at);
  `,
];
