import { ApiHideProperty, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { TemperatureRequestDto } from '../../shared/dto/sampling-request.dto';
import { NotSupported, ValidateElements } from '../../shared/validation';
import { checkResponseInput, InputItem } from '../response-input';
import { IsResponseToolChoice, ResponseFunctionToolDto, ResponseToolChoiceFunctionDto } from './response-tool.dto';
import { ResponseTextDto } from './response-text.dto';

/** `include` values llamanest can honour. */
export const INCLUDABLE = ['message.output_text.logprobs', 'reasoning.encrypted_content'] as const;

export class ResponseStreamOptionsDto {
  /** Accepted for compatibility; llamanest does not pad events. */
  @IsOptional()
  @IsBoolean()
  include_obfuscation?: boolean;
}

export class ResponseReasoningDto {
  /** Only null or `none`: llamanest's models do not reason before answering. */
  @IsOptional()
  @NotSupported(['none'], "is not supported: the model does not reason (only null or 'none')")
  effort?: string | null;

  /** Only null: there is no reasoning to summarize. */
  @IsOptional()
  @NotSupported([], 'is not supported: the model does not reason')
  summary?: string | null;

  @ApiHideProperty()
  @NotSupported([], 'is not supported: the model does not reason')
  generate_summary?: unknown;
}

/** The body of `POST /v1/responses`, as in OpenAI's `CreateResponse`. */
export class CreateResponseRequestDto extends TemperatureRequestDto {
  /** The id (or an alias) of a model from `GET /v1/models`. */
  @IsString()
  @IsNotEmpty()
  model: string;

  /**
   * A user message as a string, or an array of input items: messages (`role` user, system,
   * developer or assistant; `content` a string or `input_text` / `output_text` parts),
   * `function_call` items and `function_call_output` items answering them.
   */
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }] })
  @ValidateElements('isResponseInput', checkResponseInput)
  input: string | InputItem[];

  /** A system message put before the conversation (not carried over by `previous_response_id`). */
  @IsOptional()
  @IsString()
  instructions?: string | null;

  /** Continue the conversation of a stored response: its input and output come before `input`. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  previous_response_id?: string | null;

  /** Keep the response (default true) so `previous_response_id` and `GET /v1/responses/{id}` can use it. */
  @IsOptional()
  @IsBoolean()
  store?: boolean | null;

  /** Most tokens to generate (at least 16). Without it, generation may fill the model's context. */
  @IsOptional()
  @IsInt()
  @Min(16)
  max_output_tokens?: number | null;

  /** Functions the model may call (only `type: function`). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(128)
  @ValidateNested({ each: true })
  @Type(() => ResponseFunctionToolDto)
  tools?: ResponseFunctionToolDto[] | null;

  /**
   * `none`, `auto` (default with tools), `required` (a call) or `{"type":"function","name":"..."}`
   * to force that function. Forced calls are generated under a grammar, so a valid call always comes out.
   */
  @ApiProperty({
    required: false,
    oneOf: [{ type: 'string', enum: ['none', 'auto', 'required'] }, { $ref: '#/components/schemas/ResponseToolChoiceFunctionDto' }],
  })
  @IsOptional()
  @IsResponseToolChoice()
  tool_choice?: 'none' | 'auto' | 'required' | ResponseToolChoiceFunctionDto | null;

  /** Whether the model may call several functions in one answer (llamanest makes at most one call per answer). */
  @IsOptional()
  @IsBoolean()
  parallel_tool_calls?: boolean | null;

  /** `text.format`: `{"type":"json_schema","name":"...","schema":{...}}`, `{"type":"json_object"}` or `{"type":"text"}`. */
  @IsOptional()
  @ValidateNested()
  @Type(() => ResponseTextDto)
  @IsObject()
  text?: ResponseTextDto | null;

  /** Stream the response as typed server-sent events (`event: <type>`), each with a `sequence_number`. */
  @IsOptional()
  @IsBoolean()
  stream?: boolean | null;

  /** Options for streaming; only with `stream: true`. */
  @IsOptional()
  @ValidateNested()
  @Type(() => ResponseStreamOptionsDto)
  stream_options?: ResponseStreamOptionsDto | null;

  /** `message.output_text.logprobs` (token log probabilities in `output_text` parts); `reasoning.encrypted_content` is accepted (there is no reasoning). */
  @IsOptional()
  @IsArray()
  @IsIn(INCLUDABLE, { each: true, message: `'include' may only hold ${INCLUDABLE.join(', ')}.` })
  include?: (typeof INCLUDABLE)[number][] | null;

  /** With `include: ["message.output_text.logprobs"]`: also return this many likeliest alternatives per token (0 to 20). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  top_logprobs?: number | null;

  /** Null, or `{"effort":"none"}`: llamanest's models do not reason. */
  @IsOptional()
  @ValidateNested()
  @Type(() => ResponseReasoningDto)
  @IsObject()
  reasoning?: ResponseReasoningDto | null;

  /** Up to 16 string key-value pairs, stored and returned with the response. */
  @IsOptional()
  @IsObject()
  metadata?: Record<string, string> | null;

  /** Accepted for compatibility; it only limits built-in tools, which llamanest does not have. */
  @IsOptional()
  @IsInt()
  @Min(1)
  max_tool_calls?: number | null;

  /** Only `disabled` (the default): an input beyond the context is a 400. */
  @IsOptional()
  @IsIn(['disabled'], { message: "'truncation' must be 'disabled': llamanest does not drop input items to fit the context." })
  truncation?: 'disabled' | null;

  /** An id of the end user, accepted for compatibility. */
  @IsOptional()
  @IsString()
  user?: string;

  /** Accepted for compatibility. */
  @IsOptional()
  @IsString()
  safety_identifier?: string | null;

  /** Accepted for compatibility; llamanest always reuses cached prompt prefixes. */
  @IsOptional()
  @IsString()
  prompt_cache_key?: string | null;

  /** Accepted for compatibility. */
  @IsOptional()
  @IsString()
  prompt_cache_retention?: string | null;

  /** Accepted for compatibility (llamanest has one tier). */
  @IsOptional()
  @IsString()
  service_tier?: string | null;

  @ApiHideProperty()
  @NotSupported([false], 'is not supported: responses are generated while the request waits')
  background?: unknown;

  @ApiHideProperty()
  @NotSupported([], 'is not supported: llamanest has no conversations API (use previous_response_id)')
  conversation?: unknown;

  @ApiHideProperty()
  @NotSupported([], 'is not supported: llamanest has no prompt templates')
  prompt?: unknown;

  @ApiHideProperty()
  @NotSupported([])
  context_management?: unknown;

  @ApiHideProperty()
  @NotSupported([])
  moderation?: unknown;

  @ApiHideProperty()
  @NotSupported([])
  prompt_cache_options?: unknown;
}
