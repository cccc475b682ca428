import { staticPrincipal } from '../auth/api-key-principal';
import { ManagedKeyRepository } from '../auth/managed-key.repository';
import type { AppConfig } from '../config/config.schema';

/** Every key id the ledger may name, with its name: managed keys (revoked too), static keys, anonymous. */
export function keyNames(keys: ManagedKeyRepository, config: Pick<AppConfig, 'auth'>): Map<string, string> {
  const names = new Map<string, string>([['anonymous', 'anonymous']]);
  config.auth.keys.forEach((_key, i) => {
    const principal = staticPrincipal(i);
    names.set(principal.keyId, principal.name);
  });
  for (const key of keys.list({ includeRevoked: true })) names.set(key.id, key.name);
  return names;
}
