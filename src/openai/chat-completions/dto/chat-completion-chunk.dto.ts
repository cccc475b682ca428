import { ApiProperty } from '@nestjs/swagger';
import { CompletionUsageDto } from '../../shared/completion-usage.dto';

export class ChatCompletionChunkDeltaDto {
  /** `assistant`, in the first chunk of each choice only. */
  role?: 'assistant';

  /** The next piece of text. */
  content?: string | null;

  /** Null in the first chunk, absent afterwards. */
  refusal?: string | null;
}

export class ChatCompletionChunkChoiceDto {
  index: number;

  delta: ChatCompletionChunkDeltaDto;

  /** Always null (token log probabilities are not offered yet). */
  @ApiProperty({ type: Object, nullable: true, example: null })
  logprobs: null;

  /** Null until the last chunk of the choice. */
  finish_reason: 'stop' | 'length' | null;
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
