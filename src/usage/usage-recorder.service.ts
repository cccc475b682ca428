import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FinishedRequest } from './finished-request';
import { UsageRecord, UsageRecordInit } from './usage-record';
import { UsageLedger } from './usage-ledger';

export type FinishedRequestListener = (finished: FinishedRequest) => void;

/**
 * The one place where a metered request's record is produced. Each finished request goes to the
 * usage ledger first (synchronously, before the response's last bytes), then to every subscriber
 * (metrics, logs): subscribe() to get them.
 */
@Injectable()
export class UsageRecorder {
  private readonly logger = new Logger('Usage');
  private readonly listeners = new Set<FinishedRequestListener>();

  constructor(private readonly ledger: UsageLedger) {}

  subscribe(listener: FinishedRequestListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts the record of a request; if nothing commits it earlier, the response's end does. */
  begin(init: UsageRecordInit, request: Request, response: Response): UsageRecord {
    const record = new UsageRecord(init, (finished) => this.finish(finished));
    record.attachTo(request);
    response.on('close', () => {
      const complete = response.writableFinished;
      record.commit(complete ? response.statusCode : 499, !complete);
    });
    return record;
  }

  private finish(finished: FinishedRequest): void {
    try {
      this.ledger.record(finished);
    } catch (error) {
      this.logger.error(`could not write the usage ledger: ${(error as Error).message}`);
    }
    for (const listener of this.listeners) {
      try {
        listener(finished);
      } catch (error) {
        this.logger.error(`a finished-request listener failed: ${(error as Error).message}`);
      }
    }
  }
}
