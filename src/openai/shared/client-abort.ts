import type { Response } from 'express';
import { shutdownSignalOf } from '../../lifecycle/in-flight-requests.service';

/**
 * An AbortSignal that fires when the client goes away before the response is complete, or when
 * the server ends the request at shutdown (then its reason is a ServerShuttingDownError).
 */
export function abortOnClientClose(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  const shutdown = shutdownSignalOf(res);
  shutdown?.addEventListener('abort', () => controller.abort(shutdown.reason), { once: true });
  return controller.signal;
}
