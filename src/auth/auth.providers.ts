import { Provider } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { Database, DATABASE } from '../database/open-database';
import { ApiKeyStore } from './api-key.store';
import { BearerStrategy } from './bearer.strategy';
import { KeyHasher } from './key-hasher';
import { ManagedKeyRepository } from './managed-key.repository';
import { ModelAccessPolicy } from './model-access.policy';

/** API keys, static and managed, and the bearer strategy; the guards are registered globally by AppModule. */
export const AUTH_PROVIDERS: Provider[] = [
  { provide: KeyHasher, useFactory: (config: AppConfig) => KeyHasher.forDataDir(config.dataDir), inject: [APP_CONFIG] },
  { provide: ManagedKeyRepository, useFactory: (db: Database, hasher: KeyHasher) => new ManagedKeyRepository(db, hasher), inject: [DATABASE, KeyHasher] },
  ApiKeyStore,
  BearerStrategy,
  ModelAccessPolicy,
];
