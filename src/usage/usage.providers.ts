import { Provider } from '@nestjs/common';
import { Database, DATABASE } from '../database/open-database';
import { RateLimiter } from './rate-limiter.service';
import { UsageRecorder } from './usage-recorder.service';
import { UsageLedger } from './usage-ledger';

/** The usage ledger, the request recorder that feeds it (and any subscriber), and the rate limiter. */
export const USAGE_PROVIDERS: Provider[] = [
  { provide: UsageLedger, useFactory: (db: Database) => new UsageLedger(db), inject: [DATABASE] },
  UsageRecorder,
  RateLimiter,
];
