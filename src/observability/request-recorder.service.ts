import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { RequestRecord } from './request-record';

/** Where finished requests are announced; metrics, logging (and later the usage ledger) subscribe. */
@Injectable()
export class RequestRecorder {
  private readonly emitter = new EventEmitter();

  subscribe(listener: (record: RequestRecord) => void): void {
    this.emitter.on('record', listener);
  }

  emit(record: RequestRecord): void {
    this.emitter.emit('record', record);
  }
}
