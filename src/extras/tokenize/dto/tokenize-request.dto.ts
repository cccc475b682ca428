import { IsBoolean, IsNotEmpty, IsOptional, IsString } from 'class-validator';

/** The body of `POST /tokenize` (llama.cpp server's shape, plus `model`). */
export class TokenizeRequestDto {
  /** The id (or an alias) of a model from `GET /v1/models`. */
  @IsString()
  @IsNotEmpty()
  model: string;

  /** The text to tokenize (may be empty). Send this or `text`. */
  @IsOptional()
  @IsString()
  content?: string;

  /** Same as `content`, for clients that call it `text`. */
  @IsOptional()
  @IsString()
  text?: string;

  /** Add the begin/end-of-sequence tokens the model adds to a whole input (as embeddings count them). Default false. */
  @IsOptional()
  @IsBoolean()
  add_special?: boolean;

  /** Read texts such as `<|im_end|>` as their special tokens rather than as plain text. Default true, as in llama.cpp. */
  @IsOptional()
  @IsBoolean()
  parse_special?: boolean;

  /** Return `{id, piece}` objects instead of bare ids. Default false. */
  @IsOptional()
  @IsBoolean()
  with_pieces?: boolean;
}
