import type { Request } from 'express';
import { requestContext } from '../observability/request-context';
import { FinishedRequest } from './finished-request';

const RECORD = Symbol('llamanest:requestRecord');

export interface UsageRecordInit {
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
export class UsageRecord {
  private readonly startedAt = performance.now();
  private request?: Request;
  private committed = false;
  private readonly onCommit: (() => void)[] = [];

  constructor(
    private readonly init: UsageRecordInit,
    private readonly sink: (finished: FinishedRequest) => void,
  ) {}

  static of(request: Request): UsageRecord | undefined {
    return (request as unknown as Record<symbol, UsageRecord | undefined>)[RECORD];
  }

  attachTo(request: Request): void {
    (request as unknown as Record<symbol, UsageRecord>)[RECORD] = this;
    this.request = request;
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

  commit(status: number, aborted = false): void {
    if (this.committed) return;
    this.committed = true;
    const now = Date.now();
    // The generation that served the request (see recordServedBy): its model, live token counts and timing.
    const context = this.request && requestContext(this.request);
    const generation = context?.served;
    const firstTokenAt = generation?.timing?.firstTokenAt;
    // Both times count from the request's arrival (performance.now(), like the generation's timing).
    const startedAt = context?.startedAt ?? this.startedAt;
    try {
      this.sink({
        finishedAt: now,
        keyId: this.init.keyId,
        keyName: this.init.keyName,
        model: generation?.modelId ?? this.init.model,
        endpoint: this.init.endpoint,
        promptTokens: generation?.usage.promptTokens ?? 0,
        completionTokens: generation?.usage.completionTokens ?? 0,
        cachedTokens: generation?.usage.cachedPromptTokens ?? 0,
        timeToFirstTokenMs: firstTokenAt === undefined ? null : firstTokenAt - startedAt,
        durationMs: performance.now() - startedAt,
        status,
        aborted,
      });
    } finally {
      for (const callback of this.onCommit) callback();
    }
  }
}
