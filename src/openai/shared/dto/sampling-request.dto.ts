import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { IsLogitBias, IsStringOrStringArray } from '../validation';

export class StreamOptionsDto {
  /** Send one more chunk before `data: [DONE]` with `choices: []` and the request's `usage`. */
  @IsOptional()
  @IsBoolean()
  include_usage?: boolean;

  /** Accepted for compatibility; llamanest does not pad chunks. */
  @IsOptional()
  @IsBoolean()
  include_obfuscation?: boolean;
}

/** The sampling parameters every generating endpoint takes (chat, completions, responses). */
export abstract class TemperatureRequestDto {
  /** Sampling temperature, 0 to 2. 0 is greedy (deterministic) decoding. */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number | null;

  /** Nucleus sampling: keep the smallest set of tokens whose probability adds up to `top_p`. */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  top_p?: number | null;
}

/** Sampling and streaming parameters shared by chat completions and (legacy) completions. */
export abstract class SamplingRequestDto extends TemperatureRequestDto {

  /** Extension (as in llama.cpp and vLLM): sample only among the `top_k` likeliest tokens; 0 disables. */
  @IsOptional()
  @IsInt()
  @Min(0)
  top_k?: number | null;

  /** Extension (as in llama.cpp and vLLM): drop tokens less likely than `min_p` times the likeliest one. */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  min_p?: number | null;

  /** Makes sampling reproducible: the same seed, parameters and prompt give the same output. */
  @IsOptional()
  @IsInt()
  seed?: number | null;

  /** Up to 16 sequences where generation stops; they are not part of the returned text. */
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 16 }], nullable: true, required: false })
  @IsOptional()
  @IsStringOrStringArray(16)
  stop?: string | string[] | null;

  /** -2 to 2: positive values penalize tokens that already appeared, encouraging new topics. */
  @IsOptional()
  @IsNumber()
  @Min(-2)
  @Max(2)
  presence_penalty?: number | null;

  /** -2 to 2: positive values penalize tokens by how often they already appeared. */
  @IsOptional()
  @IsNumber()
  @Min(-2)
  @Max(2)
  frequency_penalty?: number | null;

  /** How many choices to generate (1 to 16). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(16)
  n?: number | null;

  /** Stream the answer as server-sent events. */
  @IsOptional()
  @IsBoolean()
  stream?: boolean | null;

  /** Options for streaming; only with `stream: true`. */
  @IsOptional()
  @ValidateNested()
  @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto | null;

  /** An id of the end user, accepted for compatibility. */
  @IsOptional()
  @IsString()
  user?: string;

  /** Token id (as a string key) to a bias from -100 to 100 added to its logit before sampling; -100 bans a token. */
  @IsOptional()
  @IsLogitBias()
  logit_bias?: Record<string, number> | null;
}
