/** Engine-level types of embedding and tokenizer requests: plain camelCase, no HTTP or OpenAI names. */

/** A text, or the token ids of one (the model's own). */
export type EmbeddingInput = string | number[];

export interface EmbeddingRequest {
  /** Model id or alias as the client sent it. */
  model: string;
  /** One input, or a list of them (errors then name the index). */
  input: EmbeddingInput | EmbeddingInput[];
  /** Length the vectors must have; only the model's own size can be honoured. */
  dimensions?: number;
}

export interface EmbeddingResult {
  /** The canonical model id (not the alias the client used). */
  modelId: string;
  /** One unit-length (L2-normalized) vector per input, in input order. */
  embeddings: number[][];
  /** Tokens evaluated over all inputs, the begin/end tokens the model adds included. */
  promptTokens: number;
}

export interface TokenizeRequest {
  model: string;
  text: string;
  /** Add the begin/end-of-sequence tokens the model adds to a whole input. */
  addSpecial: boolean;
  /** Read texts such as `<|im_end|>` as special tokens. */
  parseSpecial: boolean;
  /** Also return each token's text. */
  withPieces: boolean;
}

export interface TokenizeResult {
  modelId: string;
  tokens: number[];
  /** Each token's text, or its bytes when they are not valid UTF-8 on their own; with `withPieces` only. */
  pieces?: (string | number[])[];
}
