import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ApiKeyPrincipal } from '../auth/api-key-principal';
import { requestContext, setRequestContext } from './request-context';
import { RequestRecord } from './request-record';
import { RequestRecorder } from './request-recorder.service';

export const REQUEST_ID_HEADER = 'x-request-id';
/** A client's id is echoed only when it is short and plain, so it cannot forge log lines. */
const ACCEPTED_ID = /^[\w.:@-]{1,128}$/;

/**
 * First middleware of every request: echoes the client's `x-request-id` or mints one, and once the
 * response is over (finished or abandoned) emits its RequestRecord.
 */
export function requestObserver(recorder: RequestRecorder): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const sent = req.headers[REQUEST_ID_HEADER];
    const requestId = typeof sent === 'string' && ACCEPTED_ID.test(sent) ? sent : randomUUID();
    (req as Request & { id?: string }).id = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    setRequestContext(req, { requestId, startedAt: performance.now() });
    const started = new Date();
    res.once('close', () => recorder.emit(buildRecord(req, res, started)));
    next();
  };
}

function buildRecord(req: Request, res: Response, startedAt: Date): RequestRecord {
  const context = requestContext(req)!;
  const generation = context.served;
  const aborted = !res.writableFinished;
  const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
  const firstTokenAt = generation?.timing?.firstTokenAt;
  return {
    requestId: context.requestId,
    method: req.method,
    route,
    path: req.originalUrl.split('?')[0],
    status: aborted && !res.headersSent ? 499 : res.statusCode,
    aborted,
    keyName: (req.user as ApiKeyPrincipal | undefined)?.name,
    model: generation?.modelId,
    promptTokens: generation?.usage.promptTokens,
    completionTokens: generation?.usage.completionTokens,
    cachedTokens: generation?.usage.cachedPromptTokens,
    timeToFirstTokenSeconds: firstTokenAt === undefined ? undefined : (firstTokenAt - context.startedAt) / 1000,
    interTokenSeconds: generation?.timing?.tokenIntervals.map((ms) => ms / 1000) ?? [],
    durationSeconds: (performance.now() - context.startedAt) / 1000,
    startedAt,
  };
}
