import { ApiHideProperty, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { SamplingRequestDto } from '../../shared/dto/sampling-request.dto';
import { NotSupported } from '../../shared/validation';
import { ResponseFormatDto } from './response-format.dto';
import { ChatCompletionNamedToolChoiceDto, ChatCompletionToolDto, IsToolChoice } from './chat-completion-tool.dto';
import { ChatCompletionRequestMessageDto } from './chat-completion-request-message.dto';

/** The body of `POST /v1/chat/completions`, as in OpenAI's `CreateChatCompletionRequest`. */
export class CreateChatCompletionRequestDto extends SamplingRequestDto {
  /** The id (or an alias) of a model from `GET /v1/models`. */
  @IsString()
  @IsNotEmpty()
  model: string;

  /** The conversation so far. */
  @IsArray()
  @ArrayMinSize(1, { message: "'messages' must contain at least one message." })
  @ValidateNested({ each: true })
  @Type(() => ChatCompletionRequestMessageDto)
  messages: ChatCompletionRequestMessageDto[];

  /** Most tokens to generate per choice. Deprecated by OpenAI in favour of `max_completion_tokens`; both work. */
  @IsOptional()
  @IsInt()
  @Min(1)
  max_tokens?: number | null;

  /** Most tokens to generate per choice. Without it, generation may fill the model's context. */
  @IsOptional()
  @IsInt()
  @Min(1)
  max_completion_tokens?: number | null;

  /**
   * `{"type":"json_object"}` or `{"type":"json_schema","json_schema":{...}}`: the answer is generated
   * under a grammar, so it always parses (and fits the schema). `{"type":"text"}` is the default.
   */
  @IsOptional()
  @ValidateNested()
  @Type(() => ResponseFormatDto)
  response_format?: ResponseFormatDto | null;

  /** Functions the model may call. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(128)
  @ValidateNested({ each: true })
  @Type(() => ChatCompletionToolDto)
  tools?: ChatCompletionToolDto[] | null;

  /**
   * `none`, `auto` (default with tools), `required` (at least one call), or
   * `{"type":"function","function":{"name":"..."}}` to force that function. Forced calls are
   * generated under a grammar, so a valid call always comes out.
   */
  @ApiProperty({
    required: false,
    oneOf: [{ type: 'string', enum: ['none', 'auto', 'required'] }, { $ref: '#/components/schemas/ChatCompletionNamedToolChoiceDto' }],
  })
  @IsOptional()
  @IsToolChoice()
  tool_choice?: 'none' | 'auto' | 'required' | ChatCompletionNamedToolChoiceDto | null;

  /** Whether the model may call several functions in one answer (llamanest makes at most one call per answer). */
  @IsOptional()
  @IsBoolean()
  parallel_tool_calls?: boolean | null;

  /** Return the log probability of each generated token in `choices[].logprobs.content`. */
  @IsOptional()
  @IsBoolean()
  logprobs?: boolean | null;

  /** With `logprobs`: also return this many likeliest alternatives per token (0 to 20). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  top_logprobs?: number | null;

  /**
   * For reasoning models (whose chat format marks thinking): how much they may think before
   * answering: `none` (an empty thought), `minimal` (256 tokens), `low` (1024), `medium` (4096),
   * `high` (no limit). The thinking comes back as `reasoning_content`. A 400 for other models.
   */
  @IsOptional()
  @IsIn(['none', 'minimal', 'low', 'medium', 'high'], { message: "'reasoning_effort' must be one of none, minimal, low, medium, high." })
  reasoning_effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | null;

  /** Accepted for compatibility (llamanest has one tier). */
  @IsOptional()
  @IsString()
  service_tier?: string | null;

  /** Accepted for compatibility; llamanest always reuses cached prompt prefixes. */
  @IsOptional()
  @IsString()
  prompt_cache_key?: string;

  /** Accepted for compatibility. */
  @IsOptional()
  @IsString()
  safety_identifier?: string;

  /** Accepted for compatibility (stored only with `store`, which llamanest does not offer). */
  @IsOptional()
  @IsObject()
  metadata?: Record<string, string> | null;

  @ApiHideProperty()
  @NotSupported([], 'is deprecated and not supported; use tools')
  functions?: unknown;

  @ApiHideProperty()
  @NotSupported(['none'], 'is deprecated and not supported; use tool_choice')
  function_call?: unknown;

  @ApiHideProperty()
  @NotSupported([['text']], 'is not supported: llamanest serves text only')
  modalities?: unknown;

  @ApiHideProperty()
  @NotSupported([], 'is not supported: llamanest serves text only')
  audio?: unknown;

  @ApiHideProperty()
  @NotSupported([])
  prediction?: unknown;

  @ApiHideProperty()
  @NotSupported([], 'is not supported: llamanest has no web access')
  web_search_options?: unknown;

  @ApiHideProperty()
  @NotSupported([false], 'is not supported: llamanest does not store chat completions')
  store?: unknown;

  @ApiHideProperty()
  @NotSupported(['medium'])
  verbosity?: unknown;
}
