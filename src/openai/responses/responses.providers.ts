import { Provider } from '@nestjs/common';
import { Database, DATABASE } from '../../database/open-database';
import { ResponseStore } from './response-store';
import { ResponsesService } from './responses.service';

/** The Responses API's translation service and its store of responses (in the SQLite database). */
export const RESPONSES_PROVIDERS: Provider[] = [{ provide: ResponseStore, useFactory: (db: Database) => new ResponseStore(db), inject: [DATABASE] }, ResponsesService];
