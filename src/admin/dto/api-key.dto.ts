import { Scope } from '../../auth/scopes';

/** Limits of a key; null means unlimited. */
export class ApiKeyLimitsDto {
  requests_per_minute: number | null;

  /** Prompt + completion tokens per minute. */
  tokens_per_minute: number | null;

  /** Prompt + completion tokens per rolling 24 hours. */
  tokens_per_day: number | null;

  /** Requests in flight at once (waiting or generating). */
  concurrent_requests: number | null;
}

/** A managed API key. The key itself is never shown again after creation or rotation. */
export class ApiKeyDto {
  /** `key_…`: use it (or the name) to revoke or rotate the key. */
  id: string;

  /** Always `api_key`. */
  object: 'api_key';

  name: string;

  /** The key's prefix and last four characters, e.g. `sk-lln-…a1b2`. */
  redacted_key: string;

  /** Model ids or aliases the key may use; `*` for all. */
  models: string[];

  /** What the key may do: `inference`, `embeddings`, `admin`, `metrics`. */
  scopes: Scope[];

  limits: ApiKeyLimitsDto;

  /** Unix seconds. */
  created_at: number;

  /** Unix seconds; null: never expires. */
  expires_at: number | null;

  /** Unix seconds; null: active. */
  revoked_at: number | null;

  /** Requests of this key being served or waiting right now. */
  in_flight: number;
}

/** A key as created or rotated: the only time the clear key is shown. */
export class CreatedApiKeyDto extends ApiKeyDto {
  /** The clear key, `sk-lln-…`: store it now, it cannot be shown again. */
  key: string;
}

export class ListApiKeysResponseDto {
  /** Always `list`. */
  object: 'list';

  data: ApiKeyDto[];
}
