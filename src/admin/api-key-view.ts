import { redactKey } from '../auth/api-key-format';
import { ManagedKey } from '../auth/managed-key';
import { ApiKeyDto } from './dto/api-key.dto';

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

export function toApiKeyDto(key: ManagedKey, inFlight = 0): ApiKeyDto {
  return {
    id: key.id,
    object: 'api_key',
    name: key.name,
    redacted_key: redactKey(key.last4),
    models: key.models,
    scopes: key.scopes,
    limits: {
      requests_per_minute: key.limits.rpm,
      tokens_per_minute: key.limits.tpm,
      tokens_per_day: key.limits.tpd,
      concurrent_requests: key.limits.concurrency,
    },
    created_at: seconds(key.createdAt)!,
    expires_at: seconds(key.expiresAt),
    revoked_at: seconds(key.revokedAt),
    in_flight: inFlight,
  };
}
