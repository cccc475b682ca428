import { Injectable } from '@nestjs/common';
import { TokenizerService } from '../../inference/tokenizer.service';
import { ApiError } from '../../openai/shared/api-error';
import { DetokenizeRequestDto, DetokenizeResponseDto } from './dto/detokenize.dto';
import { TokenizeRequestDto } from './dto/tokenize-request.dto';
import { TokenizeResponseDto } from './dto/tokenize-response.dto';

/** Translates `/tokenize` and `/detokenize` to the engine's tokenizer. */
@Injectable()
export class TokenizeService {
  constructor(private readonly tokenizer: TokenizerService) {}

  async tokenize(body: TokenizeRequestDto): Promise<TokenizeResponseDto> {
    const result = await this.tokenizer.tokenize({
      model: body.model,
      text: textOf(body),
      addSpecial: body.add_special ?? false,
      parseSpecial: body.parse_special ?? true,
      withPieces: body.with_pieces ?? false,
    });
    const { tokens, pieces } = result;
    return { tokens: pieces ? tokens.map((id, i) => ({ id, piece: pieces[i] })) : tokens };
  }

  async detokenize(body: DetokenizeRequestDto): Promise<DetokenizeResponseDto> {
    const result = await this.tokenizer.detokenize(body.model, body.tokens);
    return { content: result.text };
  }
}

function textOf(body: TokenizeRequestDto): string {
  if (body.content !== undefined && body.text !== undefined && body.content !== body.text) {
    throw ApiError.invalidRequest("Send the text to tokenize as 'content' or as 'text', not both.", 'text');
  }
  const text = body.content ?? body.text;
  if (text === undefined) throw ApiError.invalidRequest("'content' (or 'text') is required: the text to tokenize.", 'content');
  return text;
}
