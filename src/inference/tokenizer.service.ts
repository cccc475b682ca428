import { Injectable } from '@nestjs/common';
import { TokenizeRequest, TokenizeResult } from './embedding.types';
import { ModelRegistry } from './model-registry.service';
import { checkTokenIds } from './token-ids';

/** A model's tokenizer, for clients that count or inspect tokens. */
@Injectable()
export class TokenizerService {
  constructor(private readonly registry: ModelRegistry) {}

  async tokenize(request: TokenizeRequest): Promise<TokenizeResult> {
    const { id, engine } = await this.registry.get(request.model);
    const tokens = engine.tokenize(request.text, { addSpecial: request.addSpecial, parseSpecial: request.parseSpecial });
    if (!request.withPieces) return { modelId: id, tokens };
    return { modelId: id, tokens, pieces: tokens.map((token) => engine.tokenPiece(token)) };
  }

  /** The text of `tokens`; special tokens are written out (e.g. `<|im_end|>`), as llama.cpp's server does. */
  async detokenize(model: string, tokens: number[]): Promise<{ modelId: string; text: string }> {
    const { id, engine } = await this.registry.get(model);
    checkTokenIds(engine, tokens, 'tokens');
    return { modelId: id, text: engine.detokenize(tokens, undefined, { special: true }) };
  }
}
