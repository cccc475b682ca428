import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.schema';
import { EngineEmbeddingContext, EngineModel } from './engine.port';
import { EmbeddingInput, EmbeddingRequest, EmbeddingResult } from './embedding.types';
import { abortError } from './inference.errors';
import { ModelRegistry } from './model-registry.service';
import { InputTooLongError, UnsupportedDimensionsError } from './request.errors';
import { SerialLane } from './serial-lane';
import { checkTokenIds } from './token-ids';

/**
 * Embeds inputs with the model's one embedding context (separate from its generation context,
 * created on first use). Every input is checked before any is evaluated; a model's batches run
 * one after another, so memory stays bounded and the queue is bounded like generation's.
 */
@Injectable()
export class EmbeddingService {
  private readonly lanes = new WeakMap<EngineModel, SerialLane>();

  constructor(
    private readonly registry: ModelRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  embed(request: EmbeddingRequest, signal: AbortSignal): Promise<EmbeddingResult> {
    return this.registry.using(request.model, 'embeddings', async (model) => {
      const { engine } = model;
      if (request.dimensions !== undefined && request.dimensions !== engine.embeddingSize) {
        throw new UnsupportedDimensionsError(model.id, request.dimensions, engine.embeddingSize);
      }
      const single = isSingleInput(request.input);
      const inputs = single ? [request.input as EmbeddingInput] : (request.input as EmbeddingInput[]);
      const context = await engine.embeddingContext();
      const evaluated = inputs.map((input, index) => this.prepare(engine, context, input, single ? undefined : index));
      const embeddings = await this.lane(model.id, engine).run(async () => {
        const vectors: number[][] = [];
        for (const tokens of evaluated) {
          if (signal.aborted) throw abortError(signal);
          vectors.push(normalize(await context.embed(tokens)));
        }
        return vectors;
      }, signal);
      return { modelId: model.id, embeddings, promptTokens: evaluated.reduce((sum, tokens) => sum + tokens.length, 0) };
    });
  }

  private prepare(engine: EngineModel, context: EngineEmbeddingContext, input: EmbeddingInput, index: number | undefined): number[] {
    if (typeof input !== 'string') checkTokenIds(engine, input, 'input', index === undefined ? [] : [index]);
    const tokens = context.withSpecialTokens(typeof input === 'string' ? engine.tokenize(input) : input);
    if (tokens.length > context.maxInputTokens) throw new InputTooLongError(index, tokens.length, context.maxInputTokens);
    return tokens;
  }

  private lane(modelId: string, engine: EngineModel): SerialLane {
    let lane = this.lanes.get(engine);
    if (!lane) this.lanes.set(engine, (lane = new SerialLane(modelId, this.config.maxQueue)));
    return lane;
  }
}

/** A string or one token array is a single input; any other array is a list of inputs. */
function isSingleInput(input: EmbeddingRequest['input']): boolean {
  return typeof input === 'string' || typeof input[0] === 'number';
}

/** Unit length (L2), as OpenAI's embeddings and llama.cpp's server return them: cosine similarity is a dot product. */
function normalize(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm > 0 ? vector.map((x) => x / norm) : vector;
}
