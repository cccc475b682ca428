import { EngineModel } from './engine.port';

const REPLACEMENT = '\uFFFD';
const MAX_HELD_TOKENS = 4;
const CONTEXT_TOKENS = 8;

/**
 * Turns generated tokens into text one by one. A multi-byte character split over several tokens
 * is held until it is complete, so no chunk carries half a character.
 */
export class IncrementalDetokenizer {
  private pending: number[] = [];
  private previous: number[] = [];

  constructor(private readonly model: EngineModel) {}

  push(token: number): string {
    this.pending.push(token);
    const text = this.model.detokenize(this.pending, this.previous);
    if (text.endsWith(REPLACEMENT) && this.pending.length < MAX_HELD_TOKENS) return '';
    this.previous = [...this.previous, ...this.pending].slice(-CONTEXT_TOKENS);
    this.pending = [];
    return text;
  }

  flush(): string {
    if (this.pending.length === 0) return '';
    const text = this.model.detokenize(this.pending, this.previous);
    this.pending = [];
    return text;
  }
}
