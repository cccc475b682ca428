import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { DATABASE, openDatabase } from './open-database';
import type { Database } from './open-database';

/** The SQLite database in the data directory (keys, usage ledger), open for the app's lifetime. */
@Global()
@Module({
  providers: [{ provide: DATABASE, useFactory: (config: AppConfig) => openDatabase(config.dataDir), inject: [APP_CONFIG] }],
  exports: [DATABASE],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  onApplicationShutdown(): void {
    if (this.db.open) this.db.close();
  }
}
