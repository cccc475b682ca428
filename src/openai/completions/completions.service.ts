import { Injectable } from '@nestjs/common';
import { InferenceService } from '../../inference/inference.service';
import { FinishReason, Generation, GenerationRequest, PlainPrompt, TokenLogprob, TokenUsage } from '../../inference/inference.types';
import { ApiError } from '../shared/api-error';
import { newId, unixSeconds } from '../shared/ids';
import { toSamplingRequest } from '../shared/sampling-request.mapper';
import { chunkFrame, JsonEvent } from '../shared/sse-writer';
import { toCompletionUsage } from '../shared/usage.mapper';
import { CompletionChoiceDto, CompletionDto, CompletionLogprobsDto } from './dto/completion.dto';
import { CreateCompletionRequestDto } from './dto/create-completion-request.dto';

const DEFAULT_MAX_TOKENS = 16;

/** A choice's piece of output: its index over all prompts, text and the log probabilities of its tokens. */
interface ChoiceDelta {
  index: number;
  text: string;
  logprobs: TokenLogprob[];
  finish: FinishReason | null;
}

/** The generations of a completions request: one per prompt, run one after another on the model. */
export class CompletionRun {
  /** Token counts over all prompts so far (live, for metering). */
  readonly usage: TokenUsage;
  private readonly finished: TokenUsage = { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 };
  /** The generation running now; undefined while the next prompt is being admitted. */
  private current?: Generation;

  constructor(
    readonly first: Generation,
    private readonly startNext: (prompt: number) => Promise<Generation>,
    private readonly prompts: number,
    private readonly n: number,
  ) {
    this.current = first;
    const total = (key: keyof TokenUsage) => () => this.finished[key] + (this.current?.usage[key] ?? 0);
    this.usage = Object.defineProperties({} as TokenUsage, {
      promptTokens: { get: total('promptTokens'), enumerable: true },
      completionTokens: { get: total('completionTokens'), enumerable: true },
      cachedPromptTokens: { get: total('cachedPromptTokens'), enumerable: true },
    });
  }

  get modelId(): string {
    return this.first.modelId;
  }

  /** Every choice's output, prompt by prompt; with `echo`, each choice starts with its prompt's text. */
  async *deltas(echo: boolean): AsyncGenerator<ChoiceDelta> {
    for (let prompt = 0; prompt < this.prompts; prompt++) {
      if (prompt > 0) {
        const done = this.current!.usage;
        this.finished.promptTokens += done.promptTokens;
        this.finished.completionTokens += done.completionTokens;
        this.finished.cachedPromptTokens += done.cachedPromptTokens;
        this.current = undefined;
        this.current = await this.startNext(prompt);
      }
      const generation = this.current!;
      const started = new Set<number>();
      for await (const event of generation.events) {
        if (event.type !== 'text' && event.type !== 'finish') continue; // plain prompts have no tools or thoughts
        const index = prompt * this.n + event.choice;
        if (echo && !started.has(index)) {
          started.add(index);
          yield { index, text: generation.promptText ?? '', logprobs: [], finish: null };
        }
        if (event.type === 'text') yield { index, text: event.text, logprobs: event.logprobs ?? [], finish: null };
        else yield { index, text: '', logprobs: [], finish: event.finishReason };
      }
    }
  }
}

/** Translates legacy completion requests to engine requests and engine events to OpenAI objects. */
@Injectable()
export class CompletionsService {
  constructor(private readonly inference: InferenceService) {}

  /** Admits the first prompt now (so refusals come before any output); later prompts start in turn. */
  async start(body: CreateCompletionRequestDto, signal: AbortSignal, owner?: string): Promise<CompletionRun> {
    const prompts = toPlainPrompts(body);
    const request = toGenerationRequest(body, owner);
    const start = (i: number) => this.inference.startGeneration({ ...request, plainPrompt: prompts[i] }, signal);
    return new CompletionRun(await start(0), start, prompts.length, request.n);
  }

  async complete(body: CreateCompletionRequestDto, run: CompletionRun): Promise<CompletionDto> {
    const withLogprobs = body.logprobs !== undefined && body.logprobs !== null;
    const choices = new Map<number, CompletionChoiceDto>();
    for await (const delta of run.deltas(body.echo === true)) {
      let choice = choices.get(delta.index);
      if (!choice) {
        choice = { text: '', index: delta.index, logprobs: withLogprobs ? emptyLogprobs() : null, finish_reason: null };
        choices.set(delta.index, choice);
      }
      if (choice.logprobs) appendLogprobs(choice.logprobs, toLegacyLogprobs(delta.logprobs, choice.text.length));
      choice.text += delta.text;
      if (delta.finish) choice.finish_reason = delta.finish as CompletionChoiceDto['finish_reason'];
    }
    return {
      id: newId('cmpl'),
      object: 'text_completion',
      created: unixSeconds(),
      model: run.modelId,
      choices: [...choices.values()].sort((a, b) => a.index - b.index),
      usage: toCompletionUsage(run.usage),
    };
  }

  /** Streamed chunks: one per piece of text or finish, then the usage chunk when asked for. */
  async *chunks(body: CreateCompletionRequestDto, run: CompletionRun): AsyncGenerator<JsonEvent<CompletionDto> | CompletionDto> {
    const base = { id: newId('cmpl'), object: 'text_completion' as const, created: unixSeconds(), model: run.modelId };
    const includeUsage = body.stream_options?.include_usage === true;
    const frame = chunkFrame(base, includeUsage ? { usage: null } : undefined);
    const withLogprobs = body.logprobs !== undefined && body.logprobs !== null;
    const lengths = new Map<number, number>();
    for await (const delta of run.deltas(body.echo === true)) {
      const offset = lengths.get(delta.index) ?? 0;
      lengths.set(delta.index, offset + delta.text.length);
      const logprobs = withLogprobs ? toLegacyLogprobs(delta.logprobs, offset) : null;
      const choice = { text: delta.text, index: delta.index, logprobs, finish_reason: delta.finish as CompletionChoiceDto['finish_reason'] };
      yield frame({ choices: [choice] });
    }
    if (includeUsage) yield { ...base, choices: [], usage: toCompletionUsage(run.usage) };
  }
}

function toPlainPrompts(body: CreateCompletionRequestDto): PlainPrompt[] {
  const suffix = body.suffix ?? undefined;
  const { prompt } = body;
  if (typeof prompt === 'string') return [{ text: prompt, suffix }];
  if (typeof prompt[0] === 'number') return [{ tokens: prompt as number[], suffix }];
  return (prompt as (string | number[])[]).map((p, index) => (typeof p === 'string' ? { text: p, suffix } : { tokens: p, suffix, index }));
}

function toGenerationRequest(body: CreateCompletionRequestDto, owner?: string): GenerationRequest {
  const sampling = toSamplingRequest(body);
  if (body.best_of != null && body.best_of !== 1 && body.best_of !== sampling.n) {
    throw new ApiError(400, "'best_of' is supported only when it equals 'n': llamanest returns every choice it generates.", 'invalid_request_error', 'best_of', 'unsupported_parameter');
  }
  if (body.echo && body.suffix != null) throw ApiError.invalidRequest("'echo' cannot be used together with 'suffix'.", 'echo');
  return {
    model: body.model,
    messages: [],
    maxTokens: body.max_tokens ?? DEFAULT_MAX_TOKENS,
    ...sampling,
    logprobs: body.logprobs === undefined || body.logprobs === null ? undefined : { top: body.logprobs },
    owner,
  };
}

function emptyLogprobs(): CompletionLogprobsDto {
  return { text_offset: [], token_logprobs: [], tokens: [], top_logprobs: [] };
}

/** The legacy parallel-array format, for tokens whose text starts at `offset` in the choice's text. */
function toLegacyLogprobs(entries: TokenLogprob[], offset: number): CompletionLogprobsDto {
  const result = emptyLogprobs();
  for (const entry of entries) {
    result.tokens.push(entry.token);
    result.token_logprobs.push(entry.logprob);
    result.top_logprobs.push(Object.fromEntries(entry.top.map((t) => [t.token, t.logprob])));
    result.text_offset.push(offset);
    offset += entry.token.length;
  }
  return result;
}

function appendLogprobs(target: CompletionLogprobsDto, more: CompletionLogprobsDto): void {
  target.tokens.push(...more.tokens);
  target.token_logprobs.push(...more.token_logprobs);
  target.top_logprobs.push(...more.top_logprobs);
  target.text_offset.push(...more.text_offset);
}
