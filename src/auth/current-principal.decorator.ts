import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeyPrincipal, NOBODY } from './api-key-principal';

export function principalOf(request: Request): ApiKeyPrincipal {
  return (request.user as ApiKeyPrincipal | undefined) ?? NOBODY;
}

/** The key the request was authenticated with. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  principalOf(context.switchToHttp().getRequest<Request>()),
);
