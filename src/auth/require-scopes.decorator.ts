import { SetMetadata } from '@nestjs/common';
import { Scope } from './scopes';

export const REQUIRED_SCOPES = 'llamanest:requiredScopes';

/** The scopes a key needs for a route (all of them); a key without one gets 403 `permission_denied`. */
export const RequireScopes = (...scopes: Scope[]) => SetMetadata(REQUIRED_SCOPES, scopes);
