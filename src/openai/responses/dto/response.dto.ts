import { ApiProperty } from '@nestjs/swagger';
import { ResponseFunctionToolDto, ResponseToolChoiceFunctionDto } from './response-tool.dto';

export class ResponseTopLogprobDto {
  token: string;

  logprob: number;

  bytes: number[];
}

/** A generated token with its log probability (OpenAI's `LogProb`). */
export class ResponseLogprobDto {
  token: string;

  /** Natural log of the probability the model gave this token. */
  logprob: number;

  /** The UTF-8 bytes of the token. */
  bytes: number[];

  /** The likeliest tokens at this position (`top_logprobs` of them), likeliest first. */
  top_logprobs: ResponseTopLogprobDto[];
}

/** Text the model wrote (OpenAI's `OutputTextContent`). */
export class ResponseOutputTextDto {
  /** Always `output_text`. */
  type: 'output_text';

  text: string;

  /** Always empty (no citations). */
  @ApiProperty({ type: [Object] })
  annotations: unknown[];

  /** Token log probabilities with `include: ["message.output_text.logprobs"]`; otherwise empty. */
  logprobs: ResponseLogprobDto[];
}

/** An assistant message (OpenAI's `OutputMessage`). */
export class ResponseOutputMessageDto {
  /** `msg_...` */
  id: string;

  /** Always `message`. */
  type: 'message';

  /** Always `assistant`. */
  role: 'assistant';

  /** `completed`, `in_progress` while streaming, or `incomplete` when `max_output_tokens` cut it. */
  status: 'completed' | 'in_progress' | 'incomplete';

  content: ResponseOutputTextDto[];
}

/** A call of one of the request's functions (OpenAI's `FunctionToolCall`); send its result back as a `function_call_output` item. */
export class ResponseFunctionToolCallDto {
  /** `fc_...` */
  id: string;

  /** Always `function_call`. */
  type: 'function_call';

  /** `call_...`: the id a `function_call_output` item answers. */
  call_id: string;

  name: string;

  /** The arguments as a JSON string; it parses and fits the function's `parameters` schema. */
  arguments: string;

  status: 'completed' | 'in_progress' | 'incomplete';
}

export class ResponseInputTokensDetailsDto {
  /** Input tokens whose evaluation was reused from the KV cache (e.g. the conversation before this turn). */
  cached_tokens: number;

  /** Always 0 (cache writes cost nothing here). */
  cache_write_tokens: number;
}

export class ResponseOutputTokensDetailsDto {
  /** Always 0: llamanest's models do not reason. */
  reasoning_tokens: number;
}

/** Exact token counts, as the model's tokenizer counts them (OpenAI's `ResponseUsage`). */
export class ResponseUsageDto {
  /** Tokens of the rendered conversation (instructions, previous responses, input). */
  input_tokens: number;

  input_tokens_details: ResponseInputTokensDetailsDto;

  output_tokens: number;

  output_tokens_details: ResponseOutputTokensDetailsDto;

  total_tokens: number;
}

export class ResponseIncompleteDetailsDto {
  /** `max_output_tokens`. */
  reason: 'max_output_tokens';
}

export class ResponseErrorDto {
  code: string;

  message: string;
}

/** The answer of `POST /v1/responses` (OpenAI's `Response`). The SDKs' `output_text` joins its text. */
export class ResponseDto {
  /** `resp_...` */
  id: string;

  /** Always `response`. */
  object: 'response';

  /** Unix time (seconds) of creation. */
  created_at: number;

  /** `completed`, `incomplete` (the token limit cut the answer), `in_progress` (while streaming) or `failed`. */
  status: 'completed' | 'incomplete' | 'in_progress' | 'failed';

  /** Unix time (seconds) of completion; null until completed. */
  @ApiProperty({ type: Number, nullable: true })
  completed_at: number | null;

  @ApiProperty({ type: () => ResponseErrorDto, nullable: true })
  error: ResponseErrorDto | null;

  @ApiProperty({ type: () => ResponseIncompleteDetailsDto, nullable: true })
  incomplete_details: ResponseIncompleteDetailsDto | null;

  @ApiProperty({ type: String, nullable: true })
  instructions: string | null;

  @ApiProperty({ type: Number, nullable: true })
  max_output_tokens: number | null;

  /** The model that produced it (its canonical id, even if an alias was requested). */
  model: string;

  /** Messages and function calls, in the order the model produced them. */
  @ApiProperty({ type: 'array', items: { oneOf: [{ $ref: '#/components/schemas/ResponseOutputMessageDto' }, { $ref: '#/components/schemas/ResponseFunctionToolCallDto' }] } })
  output: (ResponseOutputMessageDto | ResponseFunctionToolCallDto)[];

  parallel_tool_calls: boolean;

  @ApiProperty({ type: String, nullable: true })
  previous_response_id: string | null;

  /** Always `{"effort":null,"summary":null}`. */
  @ApiProperty({ type: Object })
  reasoning: { effort: null; summary: null };

  /** Whether the response is kept for `previous_response_id` and `GET /v1/responses/{id}`. */
  store: boolean;

  @ApiProperty({ type: Number, nullable: true })
  temperature: number | null;

  @ApiProperty({ type: Number, nullable: true })
  top_p: number | null;

  @ApiProperty({ type: Number, nullable: true })
  top_logprobs: number | null;

  /** `{"format":{...},"verbosity":"medium"}` as requested. */
  @ApiProperty({ type: Object })
  text: Record<string, unknown>;

  @ApiProperty({ oneOf: [{ type: 'string' }, { $ref: '#/components/schemas/ResponseToolChoiceFunctionDto' }] })
  tool_choice: string | ResponseToolChoiceFunctionDto;

  tools: ResponseFunctionToolDto[];

  /** Always `disabled`. */
  truncation: 'disabled';

  /** Always false. */
  background: boolean;

  @ApiProperty({ type: Number, nullable: true })
  max_tool_calls: number | null;

  /** Always `default`. */
  service_tier: string;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  metadata: Record<string, string>;

  @ApiProperty({ type: String, nullable: true })
  safety_identifier: string | null;

  @ApiProperty({ type: String, nullable: true })
  prompt_cache_key: string | null;

  @ApiProperty({ type: String, nullable: true, required: false })
  user?: string | null;

  /** Null until the response is complete. */
  @ApiProperty({ type: () => ResponseUsageDto, nullable: true })
  usage: ResponseUsageDto | null;
}

/** The answer of `DELETE /v1/responses/{id}`. */
export class DeletedResponseDto {
  id: string;

  /** Always `response`. */
  object: 'response';

  /** Always true. */
  deleted: true;
}

/**
 * One event of a streamed response: `event: <type>` and `data: <this object>`. In order:
 * `response.created`, `response.in_progress`, per output item `response.output_item.added`, then for
 * messages `response.content_part.added`, `response.output_text.delta`..., `response.output_text.done`,
 * `response.content_part.done`, for function calls `response.function_call_arguments.delta`...,
 * `response.function_call_arguments.done`, then `response.output_item.done`; last
 * `response.completed` (or `response.incomplete` at the token limit, `response.failed` on an error).
 */
export class ResponseStreamEventDto {
  /** The event's type, also its SSE `event:` name. */
  type: string;

  /** 0, 1, 2, ... in the order of the stream. */
  sequence_number: number;

  /** The response snapshot, in `response.*` events. */
  response?: ResponseDto;

  output_index?: number;

  content_index?: number;

  item_id?: string;

  /** The next piece of text or arguments, in `*.delta` events. */
  delta?: string;
}
