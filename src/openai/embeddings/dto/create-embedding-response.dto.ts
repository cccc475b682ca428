import { ApiProperty } from '@nestjs/swagger';

/** One vector, as in OpenAI's `Embedding`. */
export class EmbeddingDto {
  /** Always `embedding`. */
  object: 'embedding';

  /** Position of the input this vector belongs to. */
  index: number;

  /** The vector (unit length): numbers with `encoding_format: float`, a base64 string of little-endian float32 values with `base64`. */
  @ApiProperty({ oneOf: [{ type: 'array', items: { type: 'number', format: 'float' } }, { type: 'string', format: 'byte' }] })
  embedding: number[] | string;
}

export class EmbeddingUsageDto {
  /** Tokens evaluated over all inputs, including the begin/end tokens the model adds to each. */
  prompt_tokens: number;

  /** Same as `prompt_tokens`. */
  total_tokens: number;
}

/** The answer of `POST /v1/embeddings` (OpenAI's `CreateEmbeddingResponse`). */
export class CreateEmbeddingResponseDto {
  /** Always `list`. */
  object: 'list';

  /** One embedding per input, in input order. */
  data: EmbeddingDto[];

  /** The model that produced them (its canonical id, even if an alias was requested). */
  model: string;

  usage: EmbeddingUsageDto;
}
