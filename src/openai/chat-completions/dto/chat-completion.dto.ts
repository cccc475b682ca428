import { ApiProperty } from '@nestjs/swagger';
import { CompletionUsageDto } from '../../shared/completion-usage.dto';
import { ChatCompletionMessageToolCallDto } from './chat-completion-request-message.dto';
import { ChatCompletionChoiceLogprobsDto } from './chat-completion-token-logprob.dto';

export class ChatCompletionMessageDto {
  /** Always `assistant`. */
  role: 'assistant';

  /** The generated text; null when the answer is only tool calls. */
  content: string | null;

  /** Extension (as DeepSeek, vLLM and llama.cpp): the thinking of a reasoning model, when its chat format separates it. */
  reasoning_content?: string;

  /** The function calls the model made, if any. */
  tool_calls?: ChatCompletionMessageToolCallDto[];

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

  /** Token log probabilities, when `logprobs` was requested; otherwise null. */
  @ApiProperty({ type: () => ChatCompletionChoiceLogprobsDto, nullable: true })
  logprobs: ChatCompletionChoiceLogprobsDto | null;

  /** `stop`: end of turn or a stop sequence; `length`: the token limit; `tool_calls`: the model called functions. */
  finish_reason: 'stop' | 'length' | 'tool_calls';
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
