import { commonPrefixLength, EngineModel, EngineSequence } from './engine.port';
import { abortError, QueueFullError } from './inference.errors';

export interface SequenceLease {
  sequence: EngineSequence;
  release(): void;
}

interface Waiter {
  prompt: readonly number[];
  resolve(lease: SequenceLease): void;
}

/**
 * Hands a model's context sequences to requests: one request per sequence, the rest wait in a
 * bounded FIFO queue. A free sequence whose cache holds the prompt's beginning is preferred, so
 * multi-turn conversations reuse their KV cache (the prompt cache).
 */
export class SequencePool {
  private readonly free: number[];
  private readonly queue: Waiter[] = [];

  constructor(
    private readonly modelId: string,
    private readonly model: EngineModel,
    private readonly maxQueue: number,
  ) {
    this.free = Array.from({ length: model.sequenceCount }, (_, i) => i);
  }

  get active(): number {
    return this.model.sequenceCount - this.free.length;
  }

  get queued(): number {
    return this.queue.length;
  }

  acquire(prompt: readonly number[], signal: AbortSignal): Promise<SequenceLease> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (this.free.length > 0) return Promise.resolve(this.lease(this.takeBest(prompt)));
    if (this.queue.length >= this.maxQueue) return Promise.reject(new QueueFullError(this.modelId, 1));
    return new Promise<SequenceLease>((resolve, reject) => {
      const waiter: Waiter = { prompt, resolve };
      this.queue.push(waiter);
      signal.addEventListener(
        'abort',
        () => {
          const at = this.queue.indexOf(waiter);
          if (at !== -1) {
            this.queue.splice(at, 1);
            reject(abortError(signal));
          }
        },
        { once: true },
      );
    });
  }

  /**
   * The free sequence that reuses the most of its cache for this prompt, counting the cached tokens
   * it would have to throw away against it: a new conversation that shares only the chat template's
   * first tokens with another one's cache takes an empty sequence rather than destroying that cache.
   */
  private takeBest(prompt: readonly number[]): number {
    let best = 0;
    let bestScore = -Infinity;
    this.free.forEach((index, at) => {
      const cached = this.model.sequence(index).cachedTokens;
      const shared = commonPrefixLength(cached, prompt);
      const score = shared - (cached.length - shared);
      if (score > bestScore) {
        bestScore = score;
        best = at;
      }
    });
    return this.free.splice(best, 1)[0];
  }

  private lease(index: number): SequenceLease {
    let released = false;
    return {
      sequence: this.model.sequence(index),
      release: () => {
        if (released) return;
        released = true;
        const waiter = this.queue.shift();
        if (waiter) waiter.resolve(this.lease(index));
        else this.free.push(index);
      },
    };
  }
}
