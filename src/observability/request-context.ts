import type { Request } from 'express';
import { Generation } from '../inference/inference.types';

/** What the request observer keeps on each request while it runs. */
export interface RequestContext {
  requestId: string;
  /** `performance.now()` at arrival. */
  startedAt: number;
  generation?: Generation;
}

const CONTEXT = Symbol('llamanest:requestContext');

type WithContext = Request & { [CONTEXT]?: RequestContext };

export function setRequestContext(req: Request, context: RequestContext): void {
  (req as WithContext)[CONTEXT] = context;
}

export function requestContext(req: Request): RequestContext | undefined {
  return (req as WithContext)[CONTEXT];
}

/** Tells the observer which generation served this request (model, tokens, timing). */
export function observeGeneration(req: Request, generation: Generation): void {
  const context = requestContext(req);
  if (context) context.generation = generation;
}
