import { Injectable } from '@nestjs/common';
import { ContextLengthExceededError, GenerationAbortedError, InvalidGenerationRequestError } from '../../inference/inference.errors';
import { InferenceService } from '../../inference/inference.service';
import { ChatTurn, Generation, GenerationRequest } from '../../inference/inference.types';
import { ApiError } from '../shared/api-error';
import { toApiError } from '../shared/error-mapping';
import { unixSeconds } from '../shared/ids';
import { checkSchema, toToolOptions } from '../shared/tool-translation';
import { CreateResponseRequestDto } from './dto/create-response-request.dto';
import { ResponseDto } from './dto/response.dto';
import { newItemId, ResponseBuilder, StreamEvent } from './response-builder';
import { InputItem, toChatTurns } from './response-input';
import { ResponseStore } from './response-store';

/** An admitted response: its generation, the response being built, and what to store at the end. */
export interface ResponseJob {
  generation: Generation;
  builder: ResponseBuilder;
  /** The conversation before this response's output, stored with it. */
  history: InputItem[];
  store: boolean;
  keyId: string;
}

/** Translates Responses API requests to engine requests, and engine events to a `Response` and its stream events. */
@Injectable()
export class ResponsesService {
  constructor(
    private readonly inference: InferenceService,
    private readonly store: ResponseStore,
  ) {}

  /** Refuses everything that can be refused (400s, unknown model, full queue) before any output. */
  async start(body: CreateResponseRequestDto, signal: AbortSignal, keyId: string): Promise<ResponseJob> {
    checkCombinations(body);
    const previous = body.previous_response_id ? this.previous(keyId, body.previous_response_id) : [];
    const input = normalizeInput(body.input);
    const request = toGenerationRequest(body, previous, input);
    let generation: Generation;
    try {
      generation = await this.inference.startGeneration({ ...request, owner: keyId }, signal);
    } catch (error) {
      throw renameParam(error);
    }
    const builder = new ResponseBuilder(skeleton(body, generation.modelId));
    return { generation, builder, history: [...previous, ...input], store: body.store !== false, keyId };
  }

  /** The stream events of a response, ending with `response.completed` (or `.incomplete`); stores it first. */
  async *events(job: ResponseJob): AsyncGenerator<StreamEvent> {
    const { builder } = job;
    yield* builder.start();
    try {
      for await (const event of job.generation.events) yield* builder.push(event);
    } catch (error) {
      if (!(error instanceof GenerationAbortedError)) yield builder.failed(toApiError(error).message);
      throw error;
    }
    const last = [...builder.finish(job.generation.usage)];
    if (job.store) this.store.save(job.keyId, { response: builder.response, history: job.history });
    yield* last;
  }

  async complete(job: ResponseJob): Promise<ResponseDto> {
    for await (const _event of this.events(job));
    return job.builder.response;
  }

  find(keyId: string, id: string): ResponseDto {
    const stored = this.store.find(keyId, id);
    if (!stored) throw notFound(id);
    return stored.response;
  }

  delete(keyId: string, id: string): void {
    if (!this.store.delete(keyId, id)) throw notFound(id);
  }

  /** The conversation a stored response continues: its history, then its output as input items. */
  private previous(keyId: string, id: string): InputItem[] {
    const stored = this.store.find(keyId, id);
    if (!stored) {
      throw ApiError.invalidRequest(`Previous response with id '${id}' not found.`, 'previous_response_id', 'previous_response_not_found');
    }
    return [...stored.history, ...stored.response.output.map(outputAsInput)];
  }
}

function notFound(id: string): ApiError {
  return new ApiError(404, `Response with id '${id}' not found.`, 'invalid_request_error', null, 'response_not_found');
}

function checkCombinations(body: CreateResponseRequestDto): void {
  if (body.stream_options && !body.stream) {
    throw ApiError.invalidRequest("'stream_options' is only allowed when 'stream' is true.", 'stream_options');
  }
  if (body.top_logprobs && !body.include?.includes('message.output_text.logprobs')) {
    throw ApiError.invalidRequest("'top_logprobs' requires 'include' to contain 'message.output_text.logprobs'.", 'top_logprobs');
  }
  const metadata = Object.entries(body.metadata ?? {});
  if (metadata.length > 16 || metadata.some(([key, value]) => key.length > 64 || typeof value !== 'string' || value.length > 512)) {
    throw ApiError.invalidRequest("'metadata' may hold at most 16 pairs of keys (up to 64 characters) and string values (up to 512).", 'metadata');
  }
}

/** Input items with only the fields llamanest uses, as they are stored. */
function normalizeInput(input: CreateResponseRequestDto['input']): InputItem[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return input.map((item): InputItem => {
    if (item.type === 'function_call') return { type: 'function_call', call_id: item.call_id, name: item.name, arguments: item.arguments };
    if (item.type === 'function_call_output') return { type: 'function_call_output', call_id: item.call_id, output: item.output };
    return { type: 'message', role: item.role, content: item.content };
  });
}

function outputAsInput(item: ResponseDto['output'][number]): InputItem {
  if (item.type === 'function_call') return { type: 'function_call', call_id: item.call_id, name: item.name, arguments: item.arguments };
  return { type: 'message', role: 'assistant', content: item.content.map((part) => ({ type: 'output_text', text: part.text })) };
}

export function toGenerationRequest(body: CreateResponseRequestDto, previous: InputItem[], input: InputItem[]): GenerationRequest {
  const instructions: ChatTurn[] = body.instructions ? [{ role: 'system', text: body.instructions }] : [];
  const inputParam = (i: number) => (typeof body.input === 'string' ? 'input' : `input[${i}]`);
  const turns = toChatTurns([...previous, ...input], (i) => (i < previous.length ? null : inputParam(i - previous.length)));
  const choice = body.tool_choice ?? undefined;
  const logprobs = body.include?.includes('message.output_text.logprobs') ? { top: body.top_logprobs ?? 0 } : undefined;
  return {
    model: body.model,
    messages: [...instructions, ...turns],
    maxTokens: body.max_output_tokens ?? undefined,
    stop: [],
    n: 1,
    sampling: { temperature: body.temperature ?? 1, topP: body.top_p ?? undefined },
    logprobs,
    format: toOutputFormat(body),
    ...toToolOptions(body.tools ?? [], typeof choice === 'object' ? { name: choice.name } : choice, body.parallel_tool_calls ?? undefined, (i) => `tools[${i}].parameters`),
  };
}

function toOutputFormat(body: CreateResponseRequestDto): GenerationRequest['format'] {
  const format = body.text?.format;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  checkSchema(format.schema!, 'text.format.schema');
  return { type: 'json_schema', schema: format.schema! };
}

/** The engine names chat's parameters; on this endpoint they are called differently. */
function renameParam(error: unknown): unknown {
  if (error instanceof ContextLengthExceededError) return new ApiError(400, error.message, 'invalid_request_error', 'input', 'context_length_exceeded');
  if (error instanceof InvalidGenerationRequestError && error.param === 'response_format') return ApiError.invalidRequest(error.message, 'text.format.schema');
  return error;
}

/** The response as it starts: the request's settings echoed, no output yet. */
function skeleton(body: CreateResponseRequestDto, model: string): ResponseDto {
  const choice = body.tool_choice ?? 'auto';
  return {
    id: newItemId('resp'),
    object: 'response',
    created_at: unixSeconds(),
    status: 'in_progress',
    background: false,
    completed_at: null,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: body.max_tool_calls ?? null,
    model,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    reasoning: { effort: null, summary: null },
    safety_identifier: body.safety_identifier ?? null,
    service_tier: 'default',
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: body.text?.format ? { ...body.text.format } : { type: 'text' }, verbosity: 'medium' },
    tool_choice: typeof choice === 'object' ? { type: 'function', name: choice.name } : choice,
    tools: (body.tools ?? []).map((tool) => ({
      type: 'function',
      name: tool.name,
      description: tool.description ?? null,
      parameters: tool.parameters ?? null,
      strict: tool.strict ?? true,
    })),
    top_logprobs: body.top_logprobs ?? 0,
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: null,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  };
}
