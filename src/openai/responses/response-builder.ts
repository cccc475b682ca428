import { randomBytes } from 'node:crypto';
import { FinishReason, GenerationEvent, TokenLogprob, TokenUsage } from '../../inference/inference.types';
import { unixSeconds } from '../shared/ids';
import { ResponseDto, ResponseFunctionToolCallDto, ResponseLogprobDto, ResponseOutputMessageDto, ResponseOutputTextDto, ResponseUsageDto } from './dto/response.dto';

/** A Responses stream event before the writer numbers it (`sequence_number`). */
export interface StreamEvent {
  type: string;
  [field: string]: unknown;
}

/** OpenAI-style item ids: a prefix, `_`, then 48 hex digits (`resp_…`, `msg_…`, `fc_…`). */
export function newItemId(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}

export function toResponseUsage(usage: TokenUsage): ResponseUsageDto {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedPromptTokens, cache_write_tokens: 0 },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

function toLogprob(entry: TokenLogprob): ResponseLogprobDto {
  return { token: entry.token, logprob: entry.logprob, bytes: entry.bytes, top_logprobs: entry.top };
}

/**
 * Builds a `Response` from one choice's generation events and, on the way, the typed stream events
 * that describe each change, in OpenAI's order. Streaming sends the events; the plain answer is the
 * final `response`.
 */
export class ResponseBuilder {
  private message?: { item: ResponseOutputMessageDto; part: ResponseOutputTextDto; index: number };
  private call?: { item: ResponseFunctionToolCallDto; index: number };
  private finishReason: FinishReason = 'length';

  constructor(readonly response: ResponseDto) {}

  *start(): Generator<StreamEvent> {
    yield { type: 'response.created', response: this.snapshot() };
    yield { type: 'response.in_progress', response: this.snapshot() };
  }

  *push(event: GenerationEvent): Generator<StreamEvent> {
    if (event.type === 'finish') {
      this.finishReason = event.finishReason;
    } else if (event.type === 'text') {
      const open = this.message ?? (yield* this.openMessage());
      const logprobs = (event.logprobs ?? []).map(toLogprob);
      open.part.text += event.text;
      open.part.logprobs.push(...logprobs);
      yield { type: 'response.output_text.delta', item_id: open.item.id, output_index: open.index, content_index: 0, delta: event.text, logprobs };
    } else if (event.type === 'tool_call') {
      yield* this.closeItems('completed');
      const item: ResponseFunctionToolCallDto = { id: newItemId('fc'), type: 'function_call', status: 'in_progress', arguments: '', call_id: event.id, name: event.name };
      this.call = { item, index: this.response.output.push(item) - 1 };
      yield { type: 'response.output_item.added', output_index: this.call.index, item: structuredClone(item) };
    } else if (event.type === 'tool_arguments') {
      const open = this.call!;
      open.item.arguments += event.text;
      yield { type: 'response.function_call_arguments.delta', item_id: open.item.id, output_index: open.index, delta: event.text };
    }
    // A reasoning model's thoughts ('reasoning' events) are not returned as reasoning items yet.
  }

  /** Closes what is open and ends the response: `completed`, or `incomplete` when the token limit cut it. */
  *finish(usage: TokenUsage): Generator<StreamEvent> {
    this.response.usage = toResponseUsage(usage);
    if (this.response.output.length === 0) yield* this.openMessage();
    const cut = this.finishReason === 'length';
    yield* this.closeItems(cut ? 'incomplete' : 'completed');
    const response = this.response;
    response.status = cut ? 'incomplete' : 'completed';
    response.incomplete_details = cut ? { reason: 'max_output_tokens' } : null;
    response.completed_at = cut ? null : unixSeconds();
    yield { type: cut ? 'response.incomplete' : 'response.completed', response: this.snapshot() };
  }

  /** An error after the stream started: the response as `failed`. */
  failed(message: string): StreamEvent {
    this.response.status = 'failed';
    this.response.error = { code: 'server_error', message };
    return { type: 'response.failed', response: this.snapshot() };
  }

  private *openMessage(): Generator<StreamEvent, NonNullable<ResponseBuilder['message']>> {
    yield* this.closeItems('completed');
    const item: ResponseOutputMessageDto = { id: newItemId('msg'), type: 'message', status: 'in_progress', content: [], role: 'assistant' };
    const index = this.response.output.push(item) - 1;
    yield { type: 'response.output_item.added', output_index: index, item: structuredClone(item) };
    const part: ResponseOutputTextDto = { type: 'output_text', annotations: [], logprobs: [], text: '' };
    item.content.push(part);
    yield { type: 'response.content_part.added', item_id: item.id, output_index: index, content_index: 0, part: structuredClone(part) };
    this.message = { item, part, index };
    return this.message;
  }

  private *closeItems(status: 'completed' | 'incomplete'): Generator<StreamEvent> {
    const { message, call } = this;
    if (message) {
      const { item, part, index } = message;
      yield { type: 'response.output_text.done', item_id: item.id, output_index: index, content_index: 0, text: part.text, logprobs: part.logprobs };
      yield { type: 'response.content_part.done', item_id: item.id, output_index: index, content_index: 0, part: structuredClone(part) };
      item.status = status;
      yield { type: 'response.output_item.done', output_index: index, item: structuredClone(item) };
      this.message = undefined;
    }
    if (call) {
      const { item, index } = call;
      yield { type: 'response.function_call_arguments.done', item_id: item.id, output_index: index, name: item.name, arguments: item.arguments };
      item.status = status;
      yield { type: 'response.output_item.done', output_index: index, item: structuredClone(item) };
      this.call = undefined;
    }
  }

  private snapshot(): ResponseDto {
    return structuredClone(this.response);
  }
}
