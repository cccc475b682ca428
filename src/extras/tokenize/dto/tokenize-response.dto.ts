import { ApiProperty, getSchemaPath } from '@nestjs/swagger';

/** A token with its text (`with_pieces: true`). */
export class TokenWithPieceDto {
  /** The token id. */
  id: number;

  /** The token's text; its byte values when they are not valid UTF-8 on their own (part of a multi-byte character). */
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 } }] })
  piece: string | number[];
}

/** The answer of `POST /tokenize`. */
export class TokenizeResponseDto {
  /** Token ids, or `{id, piece}` objects with `with_pieces: true`. */
  @ApiProperty({ oneOf: [{ type: 'array', items: { type: 'integer' } }, { type: 'array', items: { $ref: getSchemaPath(TokenWithPieceDto) } }] })
  tokens: number[] | TokenWithPieceDto[];
}
