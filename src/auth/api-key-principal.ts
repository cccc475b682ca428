import { KeyLimits, NO_LIMITS } from './managed-key';
import { Scope, SCOPES } from './scopes';

/** Who is calling: the key a request was authenticated with (never the key itself). */
export interface ApiKeyPrincipal {
  /** `key_…` for managed keys, `static-N` for keys from the configuration, `anonymous` without auth. */
  keyId: string;
  /** A name safe to log. */
  name: string;
  scopes: readonly Scope[];
  /** Model ids or aliases this key may use; `*` for all. */
  models: readonly string[];
  limits: KeyLimits;
}

/** Callers of a server that has no keys at all (loopback only, or --insecure-no-auth). */
export const ANONYMOUS: ApiKeyPrincipal = { keyId: 'anonymous', name: 'anonymous', scopes: SCOPES, models: ['*'], limits: NO_LIMITS };

/** Keys from LLAMANEST_API_KEYS / auth.keys: the operator's own, so every scope, every model, no limits. */
export function staticPrincipal(index: number): ApiKeyPrincipal {
  return { keyId: `static-${index + 1}`, name: `static-key-${index + 1}`, scopes: SCOPES, models: ['*'], limits: NO_LIMITS };
}

/** Stands for a caller nobody authenticated (a public route): no scopes, no models. */
export const NOBODY: ApiKeyPrincipal = { keyId: 'nobody', name: 'nobody', scopes: [], models: [], limits: NO_LIMITS };
