import { KeyHasher } from '../auth/key-hasher';
import { ManagedKeyRepository } from '../auth/managed-key.repository';
import { loadConfig } from '../config/config.loader';
import type { AppConfig } from '../config/config.schema';
import { Database, openDatabase } from '../database/open-database';
import { UsageLedger } from '../usage/usage-ledger';

/** Options every data command takes to find the data directory. */
export interface DataDirOptions {
  config?: string;
  dataDir?: string;
}

/** Opens the same database the server uses (WAL: safe while the server runs), runs `use`, closes it. */
export function withStore<T>(options: DataDirOptions, use: (store: { config: AppConfig; keys: ManagedKeyRepository; ledger: UsageLedger; db: Database }) => T): T {
  const config = loadConfig({ config: options.config, dataDir: options.dataDir });
  const db = openDatabase(config.dataDir);
  try {
    return use({ config, db, keys: new ManagedKeyRepository(db, KeyHasher.forDataDir(config.dataDir)), ledger: new UsageLedger(db) });
  } finally {
    db.close();
  }
}
