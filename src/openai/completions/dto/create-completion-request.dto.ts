import { ApiHideProperty, ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, Max, Min } from 'class-validator';
import { SamplingRequestDto } from '../../shared/dto/sampling-request.dto';
import { checkTextOrTokensInput, MAX_INPUTS } from '../../shared/text-or-tokens-input.validator';
import { NotSupported, ValidateElements } from '../../shared/validation';

/** The body of `POST /v1/completions` (legacy), as in OpenAI's `CreateCompletionRequest`. */
export class CreateCompletionRequestDto extends SamplingRequestDto {
  /** The id (or an alias) of a model from `GET /v1/models`. */
  @IsString()
  @IsNotEmpty()
  model: string;

  /**
   * The prompt(s), used as written (no chat template): a string, an array of strings, an array of
   * token ids or an array of token-id arrays. Each prompt gets `n` choices.
   */
  @ApiProperty({
    oneOf: [
      { type: 'string', minLength: 1 },
      { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, maxItems: MAX_INPUTS },
      { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1 },
      { type: 'array', items: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1 }, minItems: 1, maxItems: MAX_INPUTS },
    ],
    example: 'One two three',
  })
  @ValidateElements('textOrTokensInput', checkTextOrTokensInput)
  prompt: string | string[] | number[] | number[][];

  /** Most tokens to generate per choice (default 16, as OpenAI). */
  @IsOptional()
  @IsInt()
  @Min(1)
  max_tokens?: number | null;

  /** Return the prompt in front of each completion. */
  @IsOptional()
  @IsBoolean()
  echo?: boolean | null;

  /** Return the log probabilities of each generated token and of this many likeliest alternatives (0 to 5). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(5)
  logprobs?: number | null;

  /** Text after the completion: fill in the middle. Needs a model with infill tokens (code models), otherwise a 400. */
  @IsOptional()
  @IsString()
  suffix?: string | null;

  /** Accepted when it equals `n` (or is 1): llamanest returns every choice it generates. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  best_of?: number | null;

  @ApiHideProperty()
  @NotSupported([])
  response_format?: unknown;
}
