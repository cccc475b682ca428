import { ApiHideProperty, ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, IsNotEmpty, IsNumber, IsObject, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { IsLogitBias, IsStringOrStringArray, NotSupported } from '../../shared/validation';
import { ResponseFormatDto } from './response-format.dto';
import { ChatCompletionNamedToolChoiceDto, ChatCompletionToolDto, IsToolChoice } from './chat-completion-tool.dto';
import { ChatCompletionRequestMessageDto } from './chat-completion-request-message.dto';

export class ChatCompletionStreamOptionsDto {
  /** Send one more chunk before `data: [DONE]` with `choices: []` and the request's `usage`. */
  @IsOptional()
  @IsBoolean()
  include_usage?: boolean;

  /** Accepted for compatibility; llamanest does not pad chunks. */
  @IsOptional()
  @IsBoolean()
  include_obfuscation?: boolean;
}

/** The body of `POST /v1/chat/completions`, as in OpenAI's `CreateChatCompletionRequest`. */
export class CreateChatCompletionRequestDto {
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

  /** Sampling temperature, 0 to 2. 0 is greedy (deterministic) decoding. */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number | null;

  /** Nucleus sampling: keep the smallest set of tokens whose probability adds up to `top_p`. */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  top_p?: number | null;

  /** Extension (as in llama.cpp and vLLM): sample only among the `top_k` likeliest tokens; 0 disables. */
  @IsOptional()
  @IsInt()
  @Min(0)
  top_k?: number | null;

  /** Extension (as in llama.cpp and vLLM): drop tokens less likely than `min_p` times the likeliest one. */
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  min_p?: number | null;

  /** Makes sampling reproducible: the same seed, parameters and prompt give the same output. */
  @IsOptional()
  @IsInt()
  seed?: number | null;

  /** Up to 16 sequences where generation stops; they are not part of the returned text. */
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 16 }], nullable: true, required: false })
  @IsOptional()
  @IsStringOrStringArray(16)
  stop?: string | string[] | null;

  /** -2 to 2: positive values penalize tokens that already appeared, encouraging new topics. */
  @IsOptional()
  @IsNumber()
  @Min(-2)
  @Max(2)
  presence_penalty?: number | null;

  /** -2 to 2: positive values penalize tokens by how often they already appeared. */
  @IsOptional()
  @IsNumber()
  @Min(-2)
  @Max(2)
  frequency_penalty?: number | null;

  /** How many choices to generate (1 to 16). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(16)
  n?: number | null;

  /** Stream the answer as server-sent events. */
  @IsOptional()
  @IsBoolean()
  stream?: boolean | null;

  /** Options for streaming; only with `stream: true`. */
  @IsOptional()
  @ValidateNested()
  @Type(() => ChatCompletionStreamOptionsDto)
  stream_options?: ChatCompletionStreamOptionsDto | null;

  /** An id of the end user, accepted for compatibility. */
  @IsOptional()
  @IsString()
  user?: string;

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

  /** Token id (as a string key) to a bias from -100 to 100 added to its logit before sampling; -100 bans a token. */
  @IsOptional()
  @IsLogitBias()
  logit_bias?: Record<string, number> | null;

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
  @NotSupported([])
  reasoning_effort?: unknown;

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
