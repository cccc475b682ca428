import { Injectable } from '@nestjs/common';
import { EngineModel, EngineSequence, RenderedPrompt } from './engine.port';
import { IncrementalDetokenizer } from './incremental-detokenizer';
import { ContextLengthExceededError, GenerationAbortedError } from './inference.errors';
import { FinishReason, Generation, GenerationEvent, GenerationRequest, TokenUsage } from './inference.types';
import { ModelRegistry } from './model-registry.service';
import { SequenceLease } from './sequence-pool';
import { StopSequenceMatcher } from './stop-sequence-matcher';

/** Runs generation requests: admission (model, context length, queue), then the token loop. */
@Injectable()
export class InferenceService {
  constructor(private readonly registry: ModelRegistry) {}

  /**
   * Admits a request and returns its event stream. Everything that can be refused is refused
   * here, before any output, so the caller can still answer with a plain error.
   */
  async startGeneration(request: GenerationRequest, signal: AbortSignal): Promise<Generation> {
    const model = await this.registry.get(request.model);
    const prompt = model.engine.renderChat(request.messages);
    const maxTokens = this.checkContextLength(model.engine, prompt.tokens.length, request.maxTokens);
    const lease = await model.pool.acquire(prompt.tokens, signal, request.owner);
    const usage: TokenUsage = { promptTokens: prompt.tokens.length, completionTokens: 0, cachedPromptTokens: 0 };
    return {
      modelId: model.id,
      promptTokens: prompt.tokens.length,
      events: this.run(model.engine, lease, prompt, { ...request, maxTokens }, usage, signal),
      usage,
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
    engine: EngineModel,
    lease: SequenceLease,
    prompt: RenderedPrompt,
    request: GenerationRequest & { maxTokens: number },
    usage: TokenUsage,
    signal: AbortSignal,
  ): AsyncGenerator<GenerationEvent> {
    try {
      for (let choice = 0; choice < request.n; choice++) {
        const seed = request.sampling.seed === undefined ? undefined : request.sampling.seed + choice;
        yield* this.runChoice(engine, lease.sequence, prompt, request, { choice, seed, usage }, signal);
      }
      yield { type: 'usage', usage };
    } finally {
      lease.release();
    }
  }

  private async *runChoice(
    engine: EngineModel,
    sequence: EngineSequence,
    prompt: RenderedPrompt,
    request: GenerationRequest & { maxTokens: number },
    state: { choice: number; seed?: number; usage: TokenUsage },
    signal: AbortSignal,
  ): AsyncGenerator<GenerationEvent> {
    const { choice, usage } = state;
    const generation = await sequence.generate(prompt.tokens, { ...request.sampling, seed: state.seed }, signal);
    if (choice === 0) usage.cachedPromptTokens = generation.reusedTokens;
    const detokenizer = new IncrementalDetokenizer(engine);
    const matcher = new StopSequenceMatcher([...request.stop, ...prompt.stopTexts]);
    const stopTokens = new Set(prompt.stopTokens);
    let finishReason: FinishReason = 'length';
    let hitStopSequence = false;
    const cut = (raw: string) => {
      const { text, stopped } = matcher.push(raw);
      hitStopSequence = stopped;
      return text;
    };
    let produced = 0;
    try {
      for await (const token of generation.tokens) {
        if (signal.aborted) throw new GenerationAbortedError();
        if (engine.isEndOfGeneration(token) || stopTokens.has(token)) {
          finishReason = 'stop';
          break;
        }
        produced++;
        usage.completionTokens++;
        const text = cut(detokenizer.push(token));
        if (text) yield { type: 'text', choice, text };
        if (hitStopSequence || produced >= request.maxTokens) break;
      }
      if (signal.aborted) throw new GenerationAbortedError();
      if (!hitStopSequence) {
        const text = cut(detokenizer.flush());
        const rest = hitStopSequence ? text : text + matcher.flush();
        if (rest) yield { type: 'text', choice, text: rest };
      }
      if (hitStopSequence) finishReason = 'stop';
    } finally {
      await generation.tokens.return();
    }
    yield { type: 'finish', choice, finishReason };
  }
}
