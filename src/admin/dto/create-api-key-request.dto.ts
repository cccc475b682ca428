import { ArrayNotEmpty, IsArray, IsIn, IsInt, IsOptional, IsString, Length, Matches, Min } from 'class-validator';
import { Scope, SCOPES } from '../../auth/scopes';

export class CreateApiKeyRequestDto {
  /** A unique name among active keys, e.g. the team's name. */
  @IsString()
  @Length(1, 64)
  @Matches(/^[\w.@-]+$/, { message: "'name' may hold letters, digits and . _ - @ only" })
  name: string;

  /** Model ids or aliases the key may use; `*` (the default) for all. */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  models?: string[];

  /** Default: `inference` and `embeddings`. */
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(SCOPES, { each: true })
  scopes?: Scope[];

  /** Requests per minute. */
  @IsOptional()
  @IsInt()
  @Min(1)
  rpm?: number;

  /** Prompt + completion tokens per minute. */
  @IsOptional()
  @IsInt()
  @Min(1)
  tpm?: number;

  /** Prompt + completion tokens per rolling 24 hours. */
  @IsOptional()
  @IsInt()
  @Min(1)
  tpd?: number;

  /** Requests in flight at once. */
  @IsOptional()
  @IsInt()
  @Min(1)
  concurrency?: number;

  /** Lifetime from now: `30d`, `12h`, `90m`, `2w`. Default: no expiry. */
  @IsOptional()
  @IsString()
  @Matches(/^[1-9]\d*[mhdw]$/, { message: "'expires_in' must look like 30d, 12h, 90m or 2w" })
  expires_in?: string;
}
