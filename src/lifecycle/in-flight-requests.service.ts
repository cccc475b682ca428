import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ServerShuttingDownError } from '../inference/inference.errors';
import { toApiError } from '../openai/shared/error-mapping';

const shutdownSignals = new WeakMap<Response, AbortSignal>();

/** The signal that fires when the server gives up on this request at shutdown (after the drain timeout). */
export function shutdownSignalOf(res: Response): AbortSignal | undefined {
  return shutdownSignals.get(res);
}

/**
 * Knows every request that has not finished yet, so shutdown can wait for them (drain) and then
 * end the rest through their AbortSignals with a ServerShuttingDownError.
 */
@Injectable()
export class InFlightRequests {
  private readonly open = new Set<Response>();
  private readonly shutdown = new AbortController();
  private readonly idleWaiters = new Set<() => void>();
  private draining = false;

  get count(): number {
    return this.open.size;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Express middleware: registers the request until its response closes; refuses new ones while draining. */
  readonly middleware = (_req: Request, res: Response, next: NextFunction): void => {
    if (this.draining) {
      const error = toApiError(new ServerShuttingDownError());
      res.status(error.status).set(error.headers).json(error.toEnvelope());
      return;
    }
    this.open.add(res);
    shutdownSignals.set(res, this.shutdown.signal);
    res.once('close', () => this.forget(res));
    next();
  };

  /** From now on new requests are refused and every answer closes its connection. */
  startDraining(): void {
    this.draining = true;
    for (const res of this.open) if (!res.headersSent) res.setHeader('Connection', 'close');
  }

  /** Resolves true once no request is open, or false when `timeoutMs` passes first. */
  waitUntilIdle(timeoutMs: number): Promise<boolean> {
    if (this.open.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        resolve(idle);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(onIdle);
    });
  }

  /** Ends every open request: generations stop and answer with a 503 `server_shutting_down`. */
  abortAll(): void {
    this.shutdown.abort(new ServerShuttingDownError());
  }

  private forget(res: Response): void {
    this.open.delete(res);
    if (this.open.size === 0) for (const waiter of [...this.idleWaiters]) waiter();
  }
}
