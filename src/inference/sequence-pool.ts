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
 * bounded queue. The queue is fair between owners (API keys): each owner's requests wait in
 * arrival order, and owners take turns, so one team's burst does not hold back everyone else.
 * A free sequence whose cache holds the prompt's beginning is preferred, so multi-turn
 * conversations reuse their KV cache (the prompt cache).
 */
export class SequencePool {
  private readonly free: number[];
  /** Waiting requests per owner; the map's order is the turn order (next owner first). */
  private readonly queues = new Map<string, Waiter[]>();
  private waiting = 0;

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
    return this.waiting;
  }

  acquire(prompt: readonly number[], signal: AbortSignal, owner = ''): Promise<SequenceLease> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (this.free.length > 0) return Promise.resolve(this.lease(this.takeBest(prompt)));
    if (this.waiting >= this.maxQueue) return Promise.reject(new QueueFullError(this.modelId, 1));
    return new Promise<SequenceLease>((resolve, reject) => {
      const waiter: Waiter = { prompt, resolve };
      this.enqueue(owner, waiter);
      signal.addEventListener(
        'abort',
        () => {
          if (this.remove(owner, waiter)) reject(abortError(signal));
        },
        { once: true },
      );
    });
  }

  private enqueue(owner: string, waiter: Waiter): void {
    const queue = this.queues.get(owner);
    if (queue) queue.push(waiter);
    else this.queues.set(owner, [waiter]);
    this.waiting++;
  }

  private remove(owner: string, waiter: Waiter): boolean {
    const queue = this.queues.get(owner);
    const at = queue?.indexOf(waiter) ?? -1;
    if (!queue || at === -1) return false;
    queue.splice(at, 1);
    if (queue.length === 0) this.queues.delete(owner);
    this.waiting--;
    return true;
  }

  /** The next owner's oldest waiter; that owner then goes to the back of the turn order. */
  private dequeue(): Waiter | undefined {
    const next = this.queues.entries().next();
    if (next.done) return undefined;
    const [owner, queue] = next.value;
    const waiter = queue.shift()!;
    this.queues.delete(owner);
    if (queue.length > 0) this.queues.set(owner, queue);
    this.waiting--;
    return waiter;
  }

  /**
   * The free sequence that reuses the most of its cache for this prompt, counting the cached tokens
   * it would have to throw away against it: a new conversation that shares only the chat template's
   * first tokens with another one's cache takes an empty sequence rather than destroying that cache.
   * Ties go to the lowest index, so busy sequences stay consecutive: llama.cpp computes a batch of
   * sequences 0, 1, 2 as one graph, but 0, 1, 3 as two (see the adapter's `inSequenceOrder`).
   */
  private takeBest(prompt: readonly number[]): number {
    let best = 0;
    let bestScore = -Infinity;
    this.free.forEach((index, at) => {
      const cached = this.model.sequence(index).cachedTokens;
      const shared = commonPrefixLength(cached, prompt);
      const score = shared - (cached.length - shared);
      if (score > bestScore || (score === bestScore && index < this.free[best])) {
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
        const waiter = this.dequeue();
        if (waiter) waiter.resolve(this.lease(index));
        else this.free.push(index);
      },
    };
  }
}
