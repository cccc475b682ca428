import { EngineModel } from './engine.port';

const REPLACEMENT = '\uFFFD';
const MAX_HELD_TOKENS = 4;
/** The emitted tokens kept as context: at most MAX, cut back to the last MIN when they reach it. */
const MIN_CONTEXT_TOKENS = 8;
const MAX_CONTEXT_TOKENS = 32;

/**
 * Turns generated tokens into text one by one. A multi-byte character split over several tokens
 * is held until it is complete, so no chunk carries half a character.
 *
 * A token's text can depend on the tokens before it (word boundaries, a leading space), so the new
 * tokens are detokenized after the last emitted ones and the context's text is cut off, as
 * node-llama-cpp's `detokenize(tokens, special, lastTokens)` does (alone when the context has no
 * text). The context's text is kept from the call before, so a token costs one detokenization
 * instead of node-llama-cpp's two.
 */
export class IncrementalDetokenizer {
  private pending: number[] = [];
  private context: number[] = [];
  private contextText = '';

  constructor(private readonly model: EngineModel) {}

  push(token: number): string {
    this.pending.push(token);
    const { text, whole } = this.continuation();
    if (text.endsWith(REPLACEMENT) && this.pending.length < MAX_HELD_TOKENS) return '';
    this.context.push(...this.pending);
    this.pending = [];
    if (this.context.length >= MAX_CONTEXT_TOKENS) {
      this.context = this.context.slice(-MIN_CONTEXT_TOKENS);
      this.contextText = this.model.detokenize(this.context);
    } else {
      this.contextText = whole ?? this.model.detokenize(this.context);
    }
    return text;
  }

  flush(): string {
    if (this.pending.length === 0) return '';
    const { text } = this.continuation();
    this.pending = [];
    return text;
  }

  /** The pending tokens' text, and the text of context and pending tokens together when it starts with the context's. */
  private continuation(): { text: string; whole?: string } {
    if (this.contextText === '') {
      const text = this.model.detokenize(this.pending);
      return { text, whole: this.context.length === 0 ? text : undefined };
    }
    const whole = this.model.detokenize([...this.context, ...this.pending]);
    if (whole.startsWith(this.contextText)) return { text: whole.slice(this.contextText.length), whole };
    return { text: this.model.detokenize(this.pending) };
  }
}
