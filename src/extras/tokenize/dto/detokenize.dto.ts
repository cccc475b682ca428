import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString } from 'class-validator';
import { checkTokenIdArray } from '../../../openai/shared/token-ids.validator';
import { ValidateElements } from '../../../openai/shared/validation';

/** The body of `POST /detokenize` (llama.cpp server's shape, plus `model`). */
export class DetokenizeRequestDto {
  /** The id (or an alias) of a model from `GET /v1/models`. */
  @IsString()
  @IsNotEmpty()
  model: string;

  /** Token ids of the model's vocabulary (may be empty). */
  @ApiProperty({ type: 'array', items: { type: 'integer', minimum: 0 }, example: [365, 262] })
  @ValidateElements('tokenIdArray', checkTokenIdArray)
  tokens: number[];
}

/** The answer of `POST /detokenize`. */
export class DetokenizeResponseDto {
  /** The text of the tokens; special tokens are written out (e.g. `<|im_end|>`). */
  content: string;
}
