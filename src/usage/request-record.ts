import type { Request } from 'express';
import { Generation, TokenUsage } from '../inference/inference.types';
import { FinishedRequest } from './finished-request';

const RECORD = Symbol('llamanest:requestRecord');

export interface RequestRecordInit {
  keyId: string;
  keyName: string;
  endpoint: string;
  model: string | null;
}

/**
 * Collects the facts of one metered request while it runs and commits them exactly once — right
 * before the response's last bytes are written, so a crash can never lose a request the client
 * saw complete.
 */
export class RequestRecord {
  model: string | null;
  private readonly startedAt = Date.now();
  private usage?: Readonly<TokenUsage>;
  private firstTokenAt?: number;
  private committed = false;
  private readonly onCommit: (() => void)[] = [];

  constructor(
    private readonly init: RequestRecordInit,
    private readonly sink: (finished: FinishedRequest) => void,
  ) {
    this.model = init.model;
  }

  static of(request: Request): RequestRecord | undefined {
    return (request as unknown as Record<symbol, RequestRecord | undefined>)[RECORD];
  }

  attachTo(request: Request): void {
    (request as unknown as Record<symbol, RequestRecord>)[RECORD] = this;
  }

  get keyId(): string {
    return this.init.keyId;
  }

  get isCommitted(): boolean {
    return this.committed;
  }

  /** Runs once the record is committed (e.g. to free a concurrency slot). */
  finally(callback: () => void): void {
    this.onCommit.push(callback);
  }

  /** Follows a generation: its model, its live token counts and the time of its first text. */
  track(generation: Generation): Generation {
    this.model = generation.modelId;
    this.usage = generation.usage;
    const events = generation.events;
    const noteFirstText = () => (this.firstTokenAt ??= Date.now());
    return {
      ...generation,
      events: (async function* () {
        for await (const event of events) {
          if (event.type === 'text') noteFirstText();
          yield event;
        }
      })(),
    };
  }

  commit(status: number, aborted = false): void {
    if (this.committed) return;
    this.committed = true;
    const now = Date.now();
    try {
      this.sink({
        finishedAt: now,
        keyId: this.init.keyId,
        keyName: this.init.keyName,
        model: this.model,
        endpoint: this.init.endpoint,
        promptTokens: this.usage?.promptTokens ?? 0,
        completionTokens: this.usage?.completionTokens ?? 0,
        cachedTokens: this.usage?.cachedPromptTokens ?? 0,
        timeToFirstTokenMs: this.firstTokenAt === undefined ? null : this.firstTokenAt - this.startedAt,
        durationMs: now - this.startedAt,
        status,
        aborted,
      });
    } finally {
      for (const callback of this.onCommit) callback();
    }
  }
}
