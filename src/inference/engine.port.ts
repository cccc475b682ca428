import { ChatTurn, SamplingOptions } from './inference.types';

/**
 * The engine's view of a model runtime. One adapter implements it with node-llama-cpp; the rest
 * of the engine (and the tests of the wire layer) only know this interface.
 */
export interface EngineBackend {
  /**
   * Bytes the model's weights plus its contexts would take once loaded with `spec` (RAM and VRAM
   * together: on Apple silicon both are the same unified memory). Resolves (downloads) the file first.
   */
  estimateMemory(spec: ModelLoadSpec): Promise<number>;
  /** Bytes still available for loading models right now. */
  availableMemory(): Promise<number>;
  loadModel(spec: ModelLoadSpec): Promise<EngineModel>;
  dispose(): Promise<void>;
}

export const ENGINE_BACKEND = Symbol('ENGINE_BACKEND');

export interface ModelLoadSpec {
  id: string;
  /** Local GGUF path or `hf:`/https URI. */
  source: string;
  /** Directory for downloads of remote sources. */
  downloadDir: string;
  contextSize?: number;
  sequences: number;
  gpuLayers: 'auto' | 'max' | number;
  threads?: number;
  signal?: AbortSignal;
}

export interface RenderedPrompt {
  tokens: number[];
  /** Texts the chat format uses to end a turn (besides end-of-generation tokens). */
  stopTexts: string[];
  /** Tokens the chat format uses to end a turn. */
  stopTokens: number[];
}

export interface EngineModel {
  /** Tokens one sequence can hold. */
  readonly contextLength: number;
  readonly sequenceCount: number;
  readonly sizeBytes: number;
  tokenize(text: string): number[];
  /** Text of `tokens`; `previous` are the tokens before them (for word-boundary rules of the tokenizer). */
  detokenize(tokens: readonly number[], previous?: readonly number[]): string;
  isEndOfGeneration(token: number): boolean;
  renderChat(turns: ChatTurn[]): RenderedPrompt;
  sequence(index: number): EngineSequence;
  dispose(): Promise<void>;
}

export interface EngineSequence {
  /** Tokens currently held in this sequence's KV cache. */
  readonly cachedTokens: readonly number[];
  /**
   * Evaluates `prompt` (reusing the longest cached prefix) and yields generated tokens, end-of-generation
   * tokens included, until the consumer stops iterating. Aborting `signal` stops between batches.
   */
  generate(prompt: number[], sampling: SamplingOptions, signal: AbortSignal): Promise<SequenceGeneration>;
}

export interface SequenceGeneration {
  /** Prompt tokens reused from the KV cache instead of evaluated. */
  reusedTokens: number;
  tokens: AsyncGenerator<number, void, void>;
}

/** Length of the common prefix of two token lists. */
export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a[i] === b[i]) i++;
  return i;
}
