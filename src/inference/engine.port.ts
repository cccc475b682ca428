import { ChatTurn, JsonSchema, SamplingOptions, ToolDefinition } from './inference.types';

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
  /** Serve embeddings only: no generation context, the embedding context is created at load. */
  embeddingOnly?: boolean;
}

export interface RenderedPrompt {
  tokens: number[];
  /** Texts the chat format uses to end a turn (besides end-of-generation tokens). */
  stopTexts: string[];
  /** Tokens the chat format uses to end a turn. */
  stopTokens: number[];
}

/** A compiled grammar, created by the model's runtime and passed back to `generate`. */
export interface EngineGrammar {
  readonly kind: 'grammar';
}

export type GrammarSpec = { type: 'json_schema'; schema: JsonSchema } | { type: 'one_of'; texts: string[] };

/** Text with special tokens, as the chat format writes it. */
export interface FormatText {
  text: string;
  tokens: number[];
}

/** How the model's chat format writes a function call: prefix + name + paramsPrefix + JSON params + suffix. */
export interface FunctionCallSyntax {
  prefix: FormatText;
  paramsPrefix: FormatText;
  suffix: FormatText;
  /** Texts that announce a call in free generation (the prefix and its variants). */
  triggers: string[];
}

export interface ThoughtSyntax {
  prefix: FormatText;
  suffix: FormatText;
  /** The format opens a thought at the start of every answer. */
  openOnResponseStart: boolean;
}

export interface GenerateOptions {
  sampling: SamplingOptions;
  grammar?: EngineGrammar;
  logitBias?: Record<number, number>;
  /** Return log probabilities with each token, with this many top alternatives. */
  logprobs?: { top: number };
}

export interface GeneratedToken {
  token: number;
  /** Natural log of the token's probability, when requested. */
  logprob?: number;
  top?: { token: number; logprob: number }[];
}

export interface EngineModel {
  /** Tokens one sequence can hold. */
  readonly contextLength: number;
  readonly sequenceCount: number;
  readonly sizeBytes: number;
  /** Number of token ids; valid ids are `0 .. vocabularySize - 1` (other ids crash llama.cpp). */
  readonly vocabularySize: number;
  /** Length of the vectors the embedding context returns. */
  readonly embeddingSize: number;
  tokenize(text: string, options?: TokenizeOptions): number[];
  /** The text of one token: a string, or its bytes when they are not valid UTF-8 on their own. */
  tokenPiece(token: number): string | number[];
  /** The model's one embedding context, created on first use and disposed with the model. */
  embeddingContext(): Promise<EngineEmbeddingContext>;
  /** Text of `tokens`; special tokens are left out unless `options.special`. */
  detokenize(tokens: readonly number[], options?: { special?: boolean }): string;
  isEndOfGeneration(token: number): boolean;
  renderChat(turns: ChatTurn[], tools?: ToolDefinition[]): RenderedPrompt;
  functionCallSyntax(): FunctionCallSyntax;
  /** How the chat format marks the model's thinking; undefined for models that do not think aloud. */
  thoughtSyntax(): ThoughtSyntax | undefined;
  /** The fill-in-the-middle prompt for `prefix`…`suffix`; undefined when the model has no infill tokens. */
  infillPrompt(prefix: number[], suffix: number[]): number[] | undefined;
  /** Compiles a grammar; rejects schemas the grammar engine cannot enforce. */
  createGrammar(spec: GrammarSpec): Promise<EngineGrammar>;
  sequence(index: number): EngineSequence;
  dispose(): Promise<void>;
}

export interface TokenizeOptions {
  /** Add the begin/end-of-sequence tokens the model's tokenizer adds to a whole input (as for embeddings). */
  addSpecial?: boolean;
  /** Read texts such as `<|im_end|>` as their special tokens instead of plain text. */
  parseSpecial?: boolean;
}

export interface EngineEmbeddingContext {
  /** Tokens one input may have, special tokens included. */
  readonly maxInputTokens: number;
  /** The tokens evaluated for `tokens`: the model's begin/end-of-sequence tokens added where it wants them. */
  withSpecialTokens(tokens: readonly number[]): number[];
  /** The embedding of one input (as returned by `withSpecialTokens`); not normalized. */
  embed(tokens: readonly number[]): Promise<number[]>;
}

export interface EngineSequence {
  /** Tokens currently held in this sequence's KV cache. */
  readonly cachedTokens: readonly number[];
  /**
   * Evaluates `prompt` (reusing the longest cached prefix) and yields generated tokens, end-of-generation
   * tokens included, until the consumer stops iterating. Aborting `signal` stops between batches.
   */
  generate(prompt: number[], options: GenerateOptions, signal: AbortSignal): Promise<SequenceGeneration>;
}

export interface SequenceGeneration {
  /** Prompt tokens reused from the KV cache instead of evaluated. */
  reusedTokens: number;
  tokens: AsyncGenerator<GeneratedToken, void, void>;
}

/** Length of the common prefix of two token lists. */
export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a[i] === b[i]) i++;
  return i;
}
