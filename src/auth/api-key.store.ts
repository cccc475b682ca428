import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { KEY_PREFIX } from './api-key-format';
import { ApiKeyPrincipal, staticPrincipal } from './api-key-principal';
import { KeyHasher } from './key-hasher';
import { ManagedKeyRepository } from './managed-key.repository';

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/**
 * Verifies bearer keys: the static keys from configuration (SHA-256 digests in memory) and the
 * managed keys in the database. Managed keys are looked up on every request — an indexed read —
 * so a key revoked by the CLI in another process stops working at once.
 */
@Injectable()
export class ApiKeyStore {
  private readonly digests: Buffer[];

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly managed: ManagedKeyRepository,
    private readonly hasher: KeyHasher,
  ) {
    this.digests = config.auth.keys.map(digest);
  }

  /** Keys are required once any exist: static ones, or managed ones ever created (even if all are revoked now). */
  get enabled(): boolean {
    return this.digests.length > 0 || this.managed.hasAny();
  }

  verify(key: string): ApiKeyPrincipal | null {
    const candidate = digest(key);
    let match = -1;
    // Compare against every key so the time taken does not depend on which one matched.
    this.digests.forEach((d, i) => {
      if (timingSafeEqual(d, candidate) && match === -1) match = i;
    });
    if (match !== -1) return staticPrincipal(match);
    if (!key.startsWith(KEY_PREFIX)) return null;
    const hash = this.hasher.hash(key);
    const found = this.managed.findByHash(hash);
    if (!found || !timingSafeEqual(found.hash, hash)) return null;
    return { keyId: found.id, name: found.name, scopes: found.scopes, models: found.models, limits: found.limits };
  }
}
