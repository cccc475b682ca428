import { Injectable } from '@nestjs/common';
import { InferenceService } from '../../inference/inference.service';
import { ChatTurn, FinishReason, Generation, GenerationRequest, TokenUsage } from '../../inference/inference.types';
import { ApiError } from '../shared/api-error';
import { newId, unixSeconds } from '../shared/ids';
import { toCompletionUsage } from '../shared/usage.mapper';
import { ChatCompletionRequestMessageDto, messageText } from './dto/chat-completion-request-message.dto';
import { ChatCompletionChunkDto } from './dto/chat-completion-chunk.dto';
import { ChatCompletionDto } from './dto/chat-completion.dto';
import { CreateChatCompletionRequestDto } from './dto/create-chat-completion-request.dto';

/** Translates chat completion requests to engine requests and engine events to OpenAI objects. */
@Injectable()
export class ChatCompletionsService {
  constructor(private readonly inference: InferenceService) {}

  /** `owner` (the API key's id) is who the request waits in the model's fair queue for. */
  start(body: CreateChatCompletionRequestDto, signal: AbortSignal, owner?: string): Promise<Generation> {
    return this.inference.startGeneration({ ...toGenerationRequest(body), owner }, signal);
  }

  async complete(body: CreateChatCompletionRequestDto, generation: Generation): Promise<ChatCompletionDto> {
    const n = body.n ?? 1;
    const texts: string[] = Array(n).fill('');
    const finish: FinishReason[] = Array(n).fill('length');
    let usage: TokenUsage | undefined;
    for await (const event of generation.events) {
      if (event.type === 'text') texts[event.choice] += event.text;
      else if (event.type === 'finish') finish[event.choice] = event.finishReason;
      else usage = event.usage;
    }
    return {
      id: newId('chatcmpl'),
      object: 'chat.completion',
      created: unixSeconds(),
      model: generation.modelId,
      choices: texts.map((content, index) => ({
        index,
        message: { role: 'assistant', content, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: finish[index],
      })),
      usage: toCompletionUsage(usage!),
    };
  }

  /** The chunks of a streamed completion, in OpenAI's order: role first, text, finish, optional usage. */
  async *chunks(body: CreateChatCompletionRequestDto, generation: Generation): AsyncGenerator<ChatCompletionChunkDto> {
    const includeUsage = body.stream_options?.include_usage === true;
    const base = { id: newId('chatcmpl'), object: 'chat.completion.chunk' as const, created: unixSeconds(), model: generation.modelId };
    const chunk = (choices: ChatCompletionChunkDto['choices']): ChatCompletionChunkDto =>
      includeUsage ? { ...base, choices, usage: null } : { ...base, choices };
    const started = new Set<number>();
    for await (const event of generation.events) {
      if (event.type === 'usage') {
        if (includeUsage) yield { ...base, choices: [], usage: toCompletionUsage(event.usage) };
        continue;
      }
      if (!started.has(event.choice)) {
        started.add(event.choice);
        yield chunk([{ index: event.choice, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
      }
      if (event.type === 'text') yield chunk([{ index: event.choice, delta: { content: event.text }, logprobs: null, finish_reason: null }]);
      else yield chunk([{ index: event.choice, delta: {}, logprobs: null, finish_reason: event.finishReason }]);
    }
  }
}

export function toGenerationRequest(body: CreateChatCompletionRequestDto): GenerationRequest {
  if (body.stream_options && !body.stream) {
    throw ApiError.invalidRequest("'stream_options' is only allowed when 'stream' is true.", 'stream_options');
  }
  return {
    model: body.model,
    messages: toChatTurns(body.messages),
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    stop: body.stop === undefined || body.stop === null ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop,
    n: body.n ?? 1,
    sampling: {
      temperature: body.temperature ?? 1,
      topP: body.top_p ?? undefined,
      topK: body.top_k ?? undefined,
      minP: body.min_p ?? undefined,
      seed: body.seed ?? undefined,
      presencePenalty: body.presence_penalty ?? undefined,
      frequencyPenalty: body.frequency_penalty ?? undefined,
    },
  };
}

function toChatTurns(messages: ChatCompletionRequestMessageDto[]): ChatTurn[] {
  const openCalls = new Set<string>();
  return messages.map((message, index): ChatTurn => {
    const text = messageText(message.content);
    if (message.tool_calls && message.role !== 'assistant') {
      throw ApiError.invalidRequest("'tool_calls' are only allowed on assistant messages.", `messages[${index}].tool_calls`);
    }
    if (message.role === 'tool') {
      if (!openCalls.has(message.tool_call_id!)) {
        throw ApiError.invalidRequest(
          "Messages with role 'tool' must answer a preceding assistant message with 'tool_calls' of the same id.",
          `messages[${index}].tool_call_id`,
        );
      }
      return { role: 'tool', text, toolCallId: message.tool_call_id };
    }
    if (message.role === 'assistant') {
      const toolCalls = message.tool_calls?.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
      toolCalls?.forEach((c) => openCalls.add(c.id));
      return { role: 'assistant', text, toolCalls };
    }
    return { role: message.role === 'developer' ? 'system' : message.role, text };
  });
}
