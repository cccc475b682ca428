import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';
import { ValidateElements } from '../../shared/validation';
import { checkTextOrTokensInput, MAX_INPUTS } from '../../shared/text-or-tokens-input.validator';

/** The body of `POST /v1/embeddings`, as in OpenAI's `CreateEmbeddingRequest`. */
export class CreateEmbeddingRequestDto {
  /**
   * What to embed: a string, an array of strings, an array of token ids (one input) or an array of
   * token-id arrays. Nothing may be empty; each input must fit the model's context (the error names
   * the input, e.g. `input[3]`); at most 2048 inputs.
   */
  @ApiProperty({
    oneOf: [
      { type: 'string', minLength: 1 },
      { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, maxItems: MAX_INPUTS },
      { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1, maxItems: MAX_INPUTS },
      { type: 'array', items: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1 }, minItems: 1, maxItems: MAX_INPUTS },
    ],
    example: 'The quick brown fox jumped over the lazy dog',
  })
  @ValidateElements('textOrTokensInput', checkTextOrTokensInput)
  input: string | string[] | number[] | number[][];

  /** The id (or an alias) of a model from `GET /v1/models` whose `capabilities` include `embeddings`. */
  @IsString()
  @IsNotEmpty()
  model: string;

  /** `float` (default): arrays of numbers; `base64`: the little-endian float32 bytes of each vector, base64-encoded. */
  @ApiProperty({ enum: ['float', 'base64'], default: 'float', required: false })
  @IsOptional()
  @IsIn(['float', 'base64'], { message: "'encoding_format' must be one of: float, base64." })
  encoding_format?: 'float' | 'base64';

  /** Length of the vectors. Models here cannot shorten their vectors: only the model's own size is accepted. */
  @ApiProperty({ type: 'integer', minimum: 1, required: false })
  @IsOptional()
  @IsInt()
  @Min(1)
  dimensions?: number;

  /** An id of the end user, accepted for compatibility. */
  @IsOptional()
  @IsString()
  user?: string;
}
