import type { Request } from 'express';
import { GenerationTiming, TokenUsage } from '../inference/inference.types';

/** What served a request: the model, its live token counts and, for generations, the token timing. */
export interface ServedBy {
  modelId: string;
  usage: Readonly<TokenUsage>;
  timing?: GenerationTiming;
}

/** What the request observer keeps on each request while it runs. */
export interface RequestContext {
  requestId: string;
  /** `performance.now()` at arrival. */
  startedAt: number;
  served?: ServedBy;
}

const CONTEXT = Symbol('llamanest:requestContext');

type WithContext = Request & { [CONTEXT]?: RequestContext };

export function setRequestContext(req: Request, context: RequestContext): void {
  (req as WithContext)[CONTEXT] = context;
}

export function requestContext(req: Request): RequestContext | undefined {
  return (req as WithContext)[CONTEXT];
}

/** Tells the observers (metrics, logs, usage ledger) what served this request: model, tokens, timing. */
export function recordServedBy(req: Request, served: ServedBy): void {
  const context = requestContext(req);
  if (context) context.served = served;
}
