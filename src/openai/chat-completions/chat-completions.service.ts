import { Injectable } from '@nestjs/common';
import { InferenceService } from '../../inference/inference.service';
import { ChatTurn, FinishReason, Generation, GenerationRequest, TokenLogprob } from '../../inference/inference.types';
import { ApiError } from '../shared/api-error';
import { newId, unixSeconds } from '../shared/ids';
import { chunkFrame, JsonEvent } from '../shared/sse-writer';
import { toSamplingRequest } from '../shared/sampling-request.mapper';
import { checkSchema, toToolOptions } from '../shared/tool-translation';
import { toCompletionUsage } from '../shared/usage.mapper';
import { ChatCompletionChunkDto } from './dto/chat-completion-chunk.dto';
import { ChatCompletionMessageToolCallDto, ChatCompletionRequestMessageDto, messageText } from './dto/chat-completion-request-message.dto';
import { ChatCompletionTokenLogprobDto } from './dto/chat-completion-token-logprob.dto';
import { ChatCompletionDto } from './dto/chat-completion.dto';
import { CreateChatCompletionRequestDto } from './dto/create-chat-completion-request.dto';

interface ChoiceState {
  content: string;
  reasoning: string;
  toolCalls: ChatCompletionMessageToolCallDto[];
  logprobs: ChatCompletionTokenLogprobDto[];
  finish: FinishReason;
}

/** Translates chat completion requests to engine requests and engine events to OpenAI objects. */
@Injectable()
export class ChatCompletionsService {
  constructor(private readonly inference: InferenceService) {}

  /** `owner` (the API key's id) is who the request waits in the model's fair queue for. */
  start(body: CreateChatCompletionRequestDto, signal: AbortSignal, owner?: string): Promise<Generation> {
    return this.inference.startGeneration({ ...toGenerationRequest(body), owner }, signal);
  }

  async complete(body: CreateChatCompletionRequestDto, generation: Generation): Promise<ChatCompletionDto> {
    const choices: ChoiceState[] = Array.from({ length: body.n ?? 1 }, () => ({ content: '', reasoning: '', toolCalls: [], logprobs: [], finish: 'length' }));
    for await (const event of generation.events) {
      const choice = choices[event.choice];
      if (event.type === 'text') {
        choice.content += event.text;
        choice.logprobs.push(...(event.logprobs ?? []).map(toTokenLogprob));
      } else if (event.type === 'reasoning') {
        choice.reasoning += event.text;
      } else if (event.type === 'tool_call') {
        choice.toolCalls[event.index] = { id: event.id, type: 'function', function: { name: event.name, arguments: '' } };
      } else if (event.type === 'tool_arguments') {
        choice.toolCalls[event.index].function.arguments += event.text;
      } else {
        choice.finish = event.finishReason;
      }
    }
    return {
      id: newId('chatcmpl'),
      object: 'chat.completion',
      created: unixSeconds(),
      model: generation.modelId,
      choices: choices.map((choice, index) => ({
        index,
        message: {
          role: 'assistant',
          content: choice.toolCalls.length > 0 && choice.content === '' ? null : choice.content,
          refusal: null,
          annotations: [],
          ...(choice.reasoning ? { reasoning_content: choice.reasoning } : {}),
          ...(choice.toolCalls.length > 0 ? { tool_calls: choice.toolCalls } : {}),
        },
        logprobs: body.logprobs ? { content: choice.logprobs, refusal: null } : null,
        finish_reason: choice.finish,
      })),
      usage: toCompletionUsage(generation.usage),
    };
  }

  /** The chunks of a streamed completion, in OpenAI's order: role first, deltas, finish, optional usage. */
  async *chunks(body: CreateChatCompletionRequestDto, generation: Generation): AsyncGenerator<JsonEvent<ChatCompletionChunkDto> | ChatCompletionChunkDto> {
    const includeUsage = body.stream_options?.include_usage === true;
    const base = { id: newId('chatcmpl'), object: 'chat.completion.chunk' as const, created: unixSeconds(), model: generation.modelId };
    const frame = chunkFrame(base, includeUsage ? { usage: null } : undefined);
    const chunk = (choice: ChatCompletionChunkDto['choices'][number]): JsonEvent<ChatCompletionChunkDto> => frame({ choices: [choice] });
    const started = new Set<number>();
    for await (const event of generation.events) {
      const index = event.choice;
      if (!started.has(index)) {
        started.add(index);
        yield chunk({ index, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null });
      }
      if (event.type === 'text') {
        const logprobs = body.logprobs ? { content: (event.logprobs ?? []).map(toTokenLogprob), refusal: null } : null;
        yield chunk({ index, delta: { content: event.text }, logprobs, finish_reason: null });
      } else if (event.type === 'reasoning') {
        yield chunk({ index, delta: { reasoning_content: event.text }, logprobs: null, finish_reason: null });
      } else if (event.type === 'tool_call') {
        const call = { index: event.index, id: event.id, type: 'function' as const, function: { name: event.name, arguments: '' } };
        yield chunk({ index, delta: { tool_calls: [call] }, logprobs: null, finish_reason: null });
      } else if (event.type === 'tool_arguments') {
        yield chunk({ index, delta: { tool_calls: [{ index: event.index, function: { arguments: event.text } }] }, logprobs: null, finish_reason: null });
      } else {
        yield chunk({ index, delta: {}, logprobs: null, finish_reason: event.finishReason });
      }
    }
    if (includeUsage) yield { ...base, choices: [], usage: toCompletionUsage(generation.usage) };
  }
}

function toTokenLogprob(entry: TokenLogprob): ChatCompletionTokenLogprobDto {
  return { token: entry.token, logprob: entry.logprob, bytes: entry.bytes, top_logprobs: entry.top };
}

export function toGenerationRequest(body: CreateChatCompletionRequestDto): GenerationRequest {
  if (body.top_logprobs && !body.logprobs) {
    throw ApiError.invalidRequest("'top_logprobs' requires 'logprobs' to be true.", 'top_logprobs');
  }
  return {
    model: body.model,
    messages: toChatTurns(body.messages),
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    ...toSamplingRequest(body),
    logprobs: body.logprobs ? { top: body.top_logprobs ?? 0 } : undefined,
    format: toOutputFormat(body),
    reasoningEffort: body.reasoning_effort ?? undefined,
    ...toTools(body),
  };
}

function toOutputFormat(body: CreateChatCompletionRequestDto): GenerationRequest['format'] {
  const format = body.response_format;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  const schema = format.json_schema!.schema ?? { type: 'object', additionalProperties: true };
  checkSchema(schema, 'response_format.json_schema.schema');
  return { type: 'json_schema', schema };
}

function toTools(body: CreateChatCompletionRequestDto): Pick<GenerationRequest, 'tools' | 'toolChoice' | 'parallelToolCalls'> {
  const choice = body.tool_choice ?? undefined;
  return toToolOptions(
    (body.tools ?? []).map((tool) => tool.function),
    typeof choice === 'object' ? { name: choice.function.name } : choice,
    body.parallel_tool_calls ?? undefined,
    (i) => `tools[${i}].function.parameters`,
  );
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
      return { role: 'assistant', text, toolCalls, reasoning: message.reasoning_content ?? undefined };
    }
    return { role: message.role === 'developer' ? 'system' : message.role, text };
  });
}
