import { Scope } from './scopes';

/** Limits of one key; null means unlimited. */
export interface KeyLimits {
  /** Requests per minute. */
  rpm: number | null;
  /** Prompt + completion tokens per minute. */
  tpm: number | null;
  /** Prompt + completion tokens per day (rolling 24 hours). */
  tpd: number | null;
  /** Requests in flight at once (queued or generating). */
  concurrency: number | null;
}

export const NO_LIMITS: KeyLimits = { rpm: null, tpm: null, tpd: null, concurrency: null };

/** A key managed in the database. Only its hash is stored; `last4` is what may be shown. */
export interface ManagedKey {
  id: string;
  name: string;
  last4: string;
  /** Model ids or aliases this key may use; `*` for all. */
  models: string[];
  scopes: Scope[];
  limits: KeyLimits;
  /** Unix milliseconds. */
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export interface NewKeySpec {
  name: string;
  models?: string[];
  scopes?: Scope[];
  limits?: Partial<KeyLimits>;
  expiresAt?: number | null;
}

export class KeyNotFoundError extends Error {
  constructor(readonly idOrName: string) {
    super(`No active API key has the id or name '${idOrName}'.`);
  }
}

export class KeyNameTakenError extends Error {
  constructor(readonly keyName: string) {
    super(`An active API key is already named '${keyName}'.`);
  }
}
