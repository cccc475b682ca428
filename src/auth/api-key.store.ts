import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';

export interface ApiKeyPrincipal {
  /** A name safe to log: never the key itself. */
  name: string;
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The static keys from configuration, held only as SHA-256 digests and compared in constant time. */
@Injectable()
export class ApiKeyStore {
  private readonly digests: Buffer[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.digests = config.auth.keys.map(digest);
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  verify(key: string): ApiKeyPrincipal | null {
    const candidate = digest(key);
    let match = -1;
    // Compare against every key so the time taken does not depend on which one matched.
    this.digests.forEach((d, i) => {
      if (timingSafeEqual(d, candidate) && match === -1) match = i;
    });
    return match === -1 ? null : { name: `static-key-${match + 1}` };
  }
}
