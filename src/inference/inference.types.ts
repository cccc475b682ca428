/** Engine-level types: plain camelCase, no HTTP or OpenAI names. */
import { ModelCapability } from './model-capabilities';

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ChatTurn {
  role: ChatRole;
  text: string;
  /** For assistant turns: the thinking that came before the text (reasoning models). */
  reasoning?: string;
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

/** A JSON schema in the subset node-llama-cpp's grammars enforce (see json-schema-support.ts). */
export type JsonSchema = Record<string, unknown>;

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON schema of the arguments object; undefined: no arguments. */
  parameters?: JsonSchema;
}

/** `auto`: the model decides; `none`: plain text; `required`: at least one call; `{ name }`: that function. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high';

/** Constrains the text of the answer during generation. */
export type OutputFormat = { type: 'json_object' } | { type: 'json_schema'; schema: JsonSchema };

/** A prompt used as it is, without a chat template (legacy completions). */
export interface PlainPrompt {
  text?: string;
  tokens?: number[];
  /** Its position in a batch of prompts, for error messages (`prompt[2][5]`). */
  index?: number;
  /** Text after the insertion point: fill in the middle (needs a model with infill tokens). */
  suffix?: string;
}

export interface GenerationRequest {
  /** Model id or alias as the client sent it. */
  model: string;
  /** The conversation, rendered with the model's chat template; empty with `plainPrompt`. */
  messages: ChatTurn[];
  plainPrompt?: PlainPrompt;
  /** Upper bound of generated tokens per choice; undefined: up to the end of the context. */
  maxTokens?: number;
  /** Texts that end generation; never part of the output. */
  stop: string[];
  /** Number of independent choices. */
  n: number;
  sampling: SamplingOptions;
  /** Token id -> logit offset (-100 bans, +100 all but forces). */
  logitBias?: Record<number, number>;
  /** Report the log probability of each generated token and of this many alternatives (0-20). */
  logprobs?: { top: number };
  format?: OutputFormat;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** Allow several calls in one answer (default true). */
  parallelToolCalls?: boolean;
  /** How much a reasoning model may think before answering. */
  reasoningEffort?: ReasoningEffort;
  /** Who the request is for (an API key id): queued requests are served round-robin across owners. */
  owner?: string;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[];
  top: { token: string; logprob: number; bytes: number[] }[];
}

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens whose evaluation was reused from the sequence's KV cache. */
  cachedPromptTokens: number;
}

export type GenerationEvent =
  | { type: 'text'; choice: number; text: string; logprobs?: TokenLogprob[] }
  | { type: 'reasoning'; choice: number; text: string }
  | { type: 'tool_call'; choice: number; index: number; id: string; name: string }
  | { type: 'tool_arguments'; choice: number; index: number; text: string }
  | { type: 'finish'; choice: number; finishReason: FinishReason };

/** A generation that has been admitted: model resolved, prompt checked, sequence acquired. */
export interface Generation {
  /** The canonical model id (not the alias the client used). */
  modelId: string;
  promptTokens: number;
  /** The text of a plain prompt (for `echo`). */
  promptText?: string;
  events: AsyncIterable<GenerationEvent>;
  /** Live token counts: correct at any moment (final once `events` ends), also after an abort. */
  usage: Readonly<TokenUsage>;
  timing: GenerationTiming;
}

/** When tokens came out, as `performance.now()` milliseconds. */
export interface GenerationTiming {
  firstTokenAt?: number;
  /** Milliseconds between consecutive generated tokens of a choice. */
  tokenIntervals: number[];
}

/** A model's runtime state, for metrics. */
export interface ModelRuntimeStats {
  id: string;
  loaded: boolean;
  activeSequences: number;
  queuedRequests: number;
  /** Seconds its last load took. */
  loadSeconds?: number;
}

export interface ModelInfo {
  id: string;
  aliases: string[];
  contextLength?: number;
  loaded: boolean;
  /** Loaded at boot rather than on first use. */
  preload: boolean;
  /** The model could not be loaded (the reason is in the server log). */
  loadFailed: boolean;
  /** Unix seconds of when the model file was created or registered. */
  created: number;
  capabilities: ModelCapability[];
}
