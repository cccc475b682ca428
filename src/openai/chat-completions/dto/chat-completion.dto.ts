import { ApiProperty } from '@nestjs/swagger';
import { CompletionUsageDto } from '../../shared/completion-usage.dto';

export class ChatCompletionMessageDto {
  /** Always `assistant`. */
  role: 'assistant';

  /** The generated text. */
  content: string | null;

  /** Always null: llamanest models do not refuse through a separate channel. */
  refusal: string | null;

  /** Always empty (no web search). */
  @ApiProperty({ type: [Object] })
  annotations: unknown[];
}

export class ChatCompletionChoiceDto {
  /** Position of this choice in `choices`. */
  index: number;

  message: ChatCompletionMessageDto;

  /** Always null (token log probabilities are not offered yet). */
  @ApiProperty({ type: Object, nullable: true, example: null })
  logprobs: null;

  /** `stop`: the model ended its turn or a stop sequence was hit; `length`: the token limit was reached. */
  finish_reason: 'stop' | 'length';
}

/** The answer of `POST /v1/chat/completions` without streaming (OpenAI's `ChatCompletion`). */
export class ChatCompletionDto {
  /** Unique id of this completion, `chatcmpl-...`. */
  id: string;

  /** Always `chat.completion`. */
  object: 'chat.completion';

  /** Unix time (seconds) when the completion was created. */
  created: number;

  /** The model that produced it (its canonical id, even if an alias was requested). */
  model: string;

  choices: ChatCompletionChoiceDto[];

  usage: CompletionUsageDto;
}
