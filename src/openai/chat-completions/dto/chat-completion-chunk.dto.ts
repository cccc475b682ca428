import { ApiProperty } from '@nestjs/swagger';
import { CompletionUsageDto } from '../../shared/completion-usage.dto';
import { ChatCompletionChoiceLogprobsDto } from './chat-completion-token-logprob.dto';

export class ChatCompletionMessageToolCallChunkFunctionDto {
  /** The function's name, in the first delta of a call. */
  name?: string;

  /** The next fragment of the JSON arguments. */
  arguments?: string;
}

/** A piece of a tool call: index, id, type and name first, then argument fragments. */
export class ChatCompletionMessageToolCallChunkDto {
  index: number;

  id?: string;

  type?: 'function';

  function?: ChatCompletionMessageToolCallChunkFunctionDto;
}

export class ChatCompletionChunkDeltaDto {
  /** `assistant`, in the first chunk of each choice only. */
  role?: 'assistant';

  /** The next piece of text. */
  content?: string | null;

  /** Null in the first chunk, absent afterwards. */
  refusal?: string | null;

  /** Extension: the next piece of a reasoning model's thinking. */
  reasoning_content?: string;

  tool_calls?: ChatCompletionMessageToolCallChunkDto[];
}

export class ChatCompletionChunkChoiceDto {
  index: number;

  delta: ChatCompletionChunkDeltaDto;

  /** Log probabilities of this chunk's tokens, when `logprobs` was requested; otherwise null. */
  @ApiProperty({ type: () => ChatCompletionChoiceLogprobsDto, nullable: true })
  logprobs: ChatCompletionChoiceLogprobsDto | null;

  /** Null until the last chunk of the choice. */
  finish_reason: 'stop' | 'length' | 'tool_calls' | null;
}

/** One server-sent event of a streamed chat completion (OpenAI's `ChatCompletionChunk`). */
export class ChatCompletionChunkDto {
  /** The same id in every chunk of a stream. */
  id: string;

  /** Always `chat.completion.chunk`. */
  object: 'chat.completion.chunk';

  created: number;

  model: string;

  /** Empty in the final usage chunk. */
  choices: ChatCompletionChunkChoiceDto[];

  /** Null, except in the final chunk when `stream_options.include_usage` is set. */
  usage?: CompletionUsageDto | null;
}
