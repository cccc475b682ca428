import { ApiProperty } from '@nestjs/swagger';
import { CompletionUsageDto } from '../../shared/completion-usage.dto';

/** Log probabilities in the legacy format: parallel arrays, one entry per token. */
export class CompletionLogprobsDto {
  /** Offset of each token in `text`. */
  text_offset: number[];

  /** Natural log of each token's probability (null for echoed prompt tokens). */
  @ApiProperty({ type: 'array', items: { type: 'number', nullable: true } })
  token_logprobs: (number | null)[];

  /** The tokens' texts. */
  tokens: string[];

  /** Per token, the likeliest tokens and their log probabilities (null for echoed prompt tokens). */
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: { type: 'number' }, nullable: true } })
  top_logprobs: (Record<string, number> | null)[];
}

export class CompletionChoiceDto {
  /** The generated text (after the prompt, with `echo`). */
  text: string;

  /** Position of this choice: prompt index × n + choice number. */
  index: number;

  /** With `logprobs`, the token log probabilities; otherwise null. */
  @ApiProperty({ type: () => CompletionLogprobsDto, nullable: true })
  logprobs: CompletionLogprobsDto | null;

  /** `stop`: end of text or a stop sequence; `length`: the token limit. Null in streamed chunks until the last. */
  finish_reason: 'stop' | 'length' | null;
}

/** The answer of `POST /v1/completions` (OpenAI's `CreateCompletionResponse`); also each streamed chunk. */
export class CompletionDto {
  /** Unique id, `cmpl-...`; the same in every chunk of a stream. */
  id: string;

  /** Always `text_completion`. */
  object: 'text_completion';

  created: number;

  /** The canonical id of the model. */
  model: string;

  choices: CompletionChoiceDto[];

  /** Token counts over all prompts and choices; in a stream only in the last chunk, with `stream_options.include_usage`. */
  usage?: CompletionUsageDto | null;
}
