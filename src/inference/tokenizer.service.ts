import { Injectable } from '@nestjs/common';
import { TokenizeRequest, TokenizeResult } from './embedding.types';
import { ModelRegistry } from './model-registry.service';
import { checkTokenIds } from './token-ids';

/** A model's tokenizer, for clients that count or inspect tokens. */
@Injectable()
export class TokenizerService {
  constructor(private readonly registry: ModelRegistry) {}

  tokenize(request: TokenizeRequest): Promise<TokenizeResult> {
    return this.registry.using(request.model, undefined, ({ id, engine }) => {
      const tokens = engine.tokenize(request.text, { addSpecial: request.addSpecial, parseSpecial: request.parseSpecial });
      if (!request.withPieces) return { modelId: id, tokens };
      return { modelId: id, tokens, pieces: tokens.map((token) => engine.tokenPiece(token)) };
    });
  }

  /** The text of `tokens`; special tokens are written out (e.g. `<|im_end|>`), as llama.cpp's server does. */
  detokenize(model: string, tokens: number[]): Promise<{ modelId: string; text: string }> {
    return this.registry.using(model, undefined, ({ id, engine }) => {
      checkTokenIds(engine, tokens, 'tokens');
      return { modelId: id, text: engine.detokenize(tokens, { special: true }) };
    });
  }
}
