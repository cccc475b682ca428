import { Injectable } from '@nestjs/common';
import { ChoiceGenerator, PreparedGeneration, PreparedReasoning, PreparedTools } from './choice-generator';
import { EngineGrammar, EngineModel } from './engine.port';
import { ContextLengthExceededError, InvalidGenerationRequestError } from './inference.errors';
import { toGrammarSchema } from './json-schema-support';
import { checkTokenIds } from './token-ids';
import { Generation, GenerationEvent, GenerationRequest, GenerationTiming, JsonSchema, PlainPrompt, ReasoningEffort, TokenUsage } from './inference.types';
import { ModelLease, ModelRegistry } from './model-registry.service';
import { SequenceLease } from './sequence-pool';

/** Thinking tokens each `reasoning_effort` allows before the thought is closed for the model. */
const REASONING_BUDGETS: Record<ReasoningEffort, number | undefined> = { none: 0, minimal: 256, low: 1024, medium: 4096, high: undefined };

function isWhitespace(engine: EngineModel, token: number): boolean {
  return engine.detokenize([token]).trim() === '';
}

const ANY_OBJECT: JsonSchema = { type: 'object', additionalProperties: true };

/** Compiles a JSON-schema grammar; a schema the grammar compiler rejects is the client's 400. */
async function compile(engine: EngineModel, param: string, schema: JsonSchema): Promise<EngineGrammar> {
  try {
    return await engine.createGrammar({ type: 'json_schema', schema });
  } catch (error) {
    throw new InvalidGenerationRequestError(`The JSON schema in '${param}' cannot be enforced: ${(error as Error).message}`, param);
  }
}

/** Runs generation requests: admission (model, context length, queue), then one generator per choice. */
@Injectable()
export class InferenceService {
  constructor(private readonly registry: ModelRegistry) {}

  /**
   * Admits a request and returns its event stream. Everything that can be refused is refused
   * here, before any output, so the caller can still answer with a plain error.
   */
  async startGeneration(request: GenerationRequest, signal: AbortSignal): Promise<Generation> {
    const model = await this.registry.acquire(request.model, request.plainPrompt ? 'completions' : 'chat');
    try {
      const prepared = await this.prepare(model.engine, request);
      const lease = await model.pool.acquire(prepared.promptTokens, signal, request.owner);
      const usage: TokenUsage = { promptTokens: prepared.promptTokens.length, completionTokens: 0, cachedPromptTokens: 0 };
      const timing: GenerationTiming = { tokenIntervals: [] };
      return {
        modelId: model.id,
        promptTokens: prepared.promptTokens.length,
        promptText: request.plainPrompt ? model.engine.detokenize(prepared.promptTokens) : undefined,
        usage,
        timing,
        events: this.run(model, lease, prepared, request, { usage, timing }, signal),
      };
    } catch (error) {
      model.release();
      throw error;
    }
  }

  private async prepare(engine: EngineModel, request: GenerationRequest): Promise<PreparedGeneration> {
    const outOfRange = Object.keys(request.logitBias ?? {}).find((token) => Number(token) >= engine.vocabularySize);
    if (outOfRange !== undefined) {
      throw new InvalidGenerationRequestError(`'logit_bias' names token ${outOfRange}, but the model's vocabulary has ${engine.vocabularySize} tokens.`, 'logit_bias');
    }
    const useTools = request.tools?.length && request.toolChoice !== 'none';
    const prompt = request.plainPrompt
      ? { tokens: this.plainPrompt(engine, request.plainPrompt), stopTexts: [], stopTokens: [] }
      : engine.renderChat(request.messages, useTools ? request.tools : undefined);
    return {
      promptTokens: prompt.tokens,
      stopTexts: [...request.stop, ...prompt.stopTexts],
      stopTokens: prompt.stopTokens,
      maxTokens: this.checkContextLength(engine, prompt.tokens.length, request.maxTokens),
      sampling: request.sampling,
      logitBias: request.logitBias,
      logprobs: request.logprobs,
      formatGrammar: request.format
        ? await compile(engine, 'response_format', request.format.type === 'json_schema' ? toGrammarSchema(request.format.schema) : ANY_OBJECT)
        : undefined,
      tools: useTools ? await this.prepareTools(engine, request) : undefined,
      reasoning: request.plainPrompt ? undefined : this.prepareReasoning(engine, request.reasoningEffort),
    };
  }

  /** Thinking of reasoning models: how the format marks it and the budget `effort` allows. */
  private prepareReasoning(engine: EngineModel, effort: ReasoningEffort | undefined): PreparedReasoning | undefined {
    const syntax = engine.thoughtSyntax();
    if (!syntax) {
      if (effort !== undefined) {
        throw new InvalidGenerationRequestError("'reasoning_effort' is only supported by reasoning models; this model's chat format has no thinking.", 'reasoning_effort');
      }
      return undefined;
    }
    const closeTokens = syntax.suffix.tokens;
    return {
      openTokens: syntax.prefix.tokens,
      openToken: syntax.prefix.tokens.find((t) => !isWhitespace(engine, t)) ?? -1,
      closeToken: [...closeTokens].reverse().find((t) => !isWhitespace(engine, t)) ?? -1,
      closeTokens,
      openAtStart: syntax.openOnResponseStart,
      budget: effort === undefined ? undefined : REASONING_BUDGETS[effort],
    };
  }

  /** A plain prompt's tokens: as given, or tokenized (with the model's BOS); a suffix makes it fill-in-the-middle. */
  private plainPrompt(engine: EngineModel, prompt: PlainPrompt): number[] {
    if (prompt.tokens) checkTokenIds(engine, prompt.tokens, 'prompt', prompt.index === undefined ? [] : [prompt.index]);
    if (prompt.suffix === undefined) return prompt.tokens ?? engine.tokenize(prompt.text ?? '', { addSpecial: true });
    const prefix = prompt.tokens ?? engine.tokenize(prompt.text ?? '');
    const infill = engine.infillPrompt(prefix, engine.tokenize(prompt.suffix));
    if (!infill) throw new InvalidGenerationRequestError("This model has no fill-in-the-middle tokens, so 'suffix' cannot be honoured.", 'suffix');
    return infill;
  }

  private async prepareTools(engine: EngineModel, request: GenerationRequest): Promise<PreparedTools> {
    const tools = request.tools!;
    const argumentGrammars: PreparedTools['argumentGrammars'] = new Map();
    for (const tool of tools) {
      if (tool.parameters) argumentGrammars.set(tool.name, await compile(engine, 'tools', toGrammarSchema(tool.parameters)));
    }
    return {
      choice: request.toolChoice ?? 'auto',
      syntax: engine.functionCallSyntax(),
      nameGrammar: await engine.createGrammar({ type: 'one_of', texts: tools.map((t) => t.name) }),
      argumentGrammars,
    };
  }

  private checkContextLength(engine: EngineModel, promptTokens: number, maxTokens?: number): number {
    const room = engine.contextLength - promptTokens;
    if (maxTokens !== undefined ? maxTokens > room : room < 1) {
      throw new ContextLengthExceededError(engine.contextLength, promptTokens, maxTokens ?? 0);
    }
    return maxTokens ?? room;
  }

  private async *run(
    model: ModelLease,
    lease: SequenceLease,
    prepared: PreparedGeneration,
    request: GenerationRequest,
    facts: { usage: TokenUsage; timing: GenerationTiming },
    signal: AbortSignal,
  ): AsyncGenerator<GenerationEvent> {
    try {
      for (let choice = 0; choice < request.n; choice++) {
        const seed = request.sampling.seed === undefined ? undefined : request.sampling.seed + choice;
        yield* new ChoiceGenerator(model.engine, lease.sequence, prepared, { choice, seed, ...facts }, signal).run();
      }
    } finally {
      lease.release();
      model.release();
    }
  }
}
