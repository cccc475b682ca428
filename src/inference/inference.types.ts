/** Engine-level types: plain camelCase, no HTTP or OpenAI names. */

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ChatTurn {
  role: ChatRole;
  text: string;
  /** For assistant turns that called tools, and tool turns answering them. */
  toolCalls?: { id: string; name: string; arguments: string }[];
  toolCallId?: string;
}

export interface SamplingOptions {
  /** 0 means greedy decoding. */
  temperature: number;
  topP?: number;
  topK?: number;
  minP?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
}

export interface GenerationRequest {
  /** Model id or alias as the client sent it. */
  model: string;
  messages: ChatTurn[];
  /** Upper bound of generated tokens per choice; undefined: up to the end of the context. */
  maxTokens?: number;
  /** Texts that end generation; never part of the output. */
  stop: string[];
  /** Number of independent choices. */
  n: number;
  sampling: SamplingOptions;
  /** Who the request is for (an API key id): queued requests are served round-robin across owners. */
  owner?: string;
}

export type FinishReason = 'stop' | 'length';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens whose evaluation was reused from the sequence's KV cache. */
  cachedPromptTokens: number;
}

export type GenerationEvent =
  | { type: 'text'; choice: number; text: string }
  | { type: 'finish'; choice: number; finishReason: FinishReason }
  | { type: 'usage'; usage: TokenUsage };

/** A generation that has been admitted: model resolved, prompt checked, sequence acquired. */
export interface Generation {
  /** The canonical model id (not the alias the client used). */
  modelId: string;
  promptTokens: number;
  events: AsyncIterable<GenerationEvent>;
  /** Live token counts: correct at any moment, including after an abort (for metering). */
  usage: Readonly<TokenUsage>;
}

export interface ModelInfo {
  id: string;
  aliases: string[];
  contextLength?: number;
  loaded: boolean;
  /** The model could not be loaded (the reason is in the server log). */
  loadFailed: boolean;
  /** Unix seconds of when the model file was created or registered. */
  created: number;
}
