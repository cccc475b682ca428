import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { principalOf } from '../auth/current-principal.decorator';
import { ModelAccessPolicy } from '../auth/model-access.policy';
import { REQUIRED_SCOPES } from '../auth/require-scopes.decorator';
import { Scope } from '../auth/scopes';
import { UsageRecorder } from './usage-recorder.service';
import { RateLimiter } from './rate-limiter.service';

/** Routes that use a model (those needing the `inference` or `embeddings` scope) are metered. */
const METERED_SCOPES: readonly Scope[] = ['inference', 'embeddings'];

/**
 * For metered routes, after the key and its scopes were checked: starts the request's usage
 * record, enforces the key's model allowlist (403) and limits (429), and sets the
 * `x-ratelimit-*` headers.
 */
@Injectable()
export class MeteringGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly recorder: UsageRecorder,
    private readonly models: ModelAccessPolicy,
    private readonly limiter: RateLimiter,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, [context.getHandler(), context.getClass()]);
    if (!required?.some((scope) => METERED_SCOPES.includes(scope))) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const principal = principalOf(request);
    const model = typeof request.body?.model === 'string' ? (request.body.model as string) : null;
    const endpoint = `${request.baseUrl ?? ''}${(request.route as { path?: string } | undefined)?.path ?? request.path}`;
    const record = this.recorder.begin({ keyId: principal.keyId, keyName: principal.name, endpoint, model }, request, response);

    if (model !== null) this.models.check(principal, model);
    // A refusal is a 429 ApiError carrying the x-ratelimit-* headers; the exception filter sends them.
    const admission = this.limiter.admit(principal);
    response.set(admission.headers);
    record.finally(admission.release);
    return true;
  }
}
