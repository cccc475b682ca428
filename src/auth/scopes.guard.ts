import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { principalOf } from './current-principal.decorator';
import { permissionDenied } from './permission-denied';
import { REQUIRED_SCOPES } from './require-scopes.decorator';
import { Scope } from './scopes';

/** Enforces @RequireScopes after the key was authenticated. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, [context.getHandler(), context.getClass()]);
    if (!required?.length) return true;
    const principal = principalOf(context.switchToHttp().getRequest<Request>());
    const missing = required.filter((scope) => !principal.scopes.includes(scope));
    if (missing.length > 0) {
      throw permissionDenied(`You have insufficient permissions for this operation. Missing scopes: ${missing.join(', ')}.`);
    }
    return true;
  }
}
