import { IsOptional, IsString, Matches } from 'class-validator';

const MOMENT = /^(\d+[mhdw]|\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)$/;
const MOMENT_MESSAGE = "must be an ISO 8601 date or date-time (2025-06-01, 2025-06-01T12:00:00Z) or a duration back from now (7d, 24h, 30m)";

/** Usage of one API key with one model on one day (UTC). */
export class UsageBucketDto {
  /** The day (UTC), `YYYY-MM-DD`. */
  date: string;

  /** The API key's id (`key_…`, `static-N` for configured keys, `anonymous` without auth). */
  key_id: string;

  /** The API key's name. */
  key_name: string;

  /** The model id; null for requests refused before a model was named. */
  model: string | null;

  /** Requests recorded, whatever their status. */
  requests: number;

  prompt_tokens: number;

  completion_tokens: number;

  /** Prompt tokens reused from the KV cache (part of `prompt_tokens`). */
  cached_tokens: number;

  /** `prompt_tokens + completion_tokens`: what token limits count. */
  total_tokens: number;
}

export class UsageReportDto {
  /** Always `list`. */
  object: 'list';

  /** One entry per day, key and model, oldest first. */
  data: UsageBucketDto[];
}

export class UsageQueryDto {
  /** From this moment (inclusive): an ISO 8601 date or date-time, or a duration back from now like `7d`. */
  @IsOptional()
  @IsString()
  @Matches(MOMENT, { message: `'since' ${MOMENT_MESSAGE}` })
  since?: string;

  /** Until this moment (exclusive), in the same forms as `since`. */
  @IsOptional()
  @IsString()
  @Matches(MOMENT, { message: `'until' ${MOMENT_MESSAGE}` })
  until?: string;
}

export class AdminUsageQueryDto extends UsageQueryDto {
  /** Only this API key (id or name; a name covers revoked keys of that name too). */
  @IsOptional()
  @IsString()
  key?: string;

  /** Only this model id. */
  @IsOptional()
  @IsString()
  model?: string;
}
