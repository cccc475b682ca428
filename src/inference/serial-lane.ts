import { abortError, QueueFullError } from './inference.errors';

/**
 * Runs tasks one at a time, the rest waiting in a bounded FIFO queue. A model's embedding
 * context evaluates one input at a time anyway; serializing whole batches keeps its memory
 * bounded and lets one request's batch finish before the next starts.
 */
export class SerialLane {
  private busy = false;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly modelId: string,
    private readonly maxQueue: number,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    await this.enter(signal);
    try {
      return await task();
    } finally {
      this.leave();
    }
  }

  private enter(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    if (this.queue.length >= this.maxQueue) return Promise.reject(new QueueFullError(this.modelId, 1));
    return new Promise<void>((resolve, reject) => {
      const waiter = () => resolve();
      this.queue.push(waiter);
      signal.addEventListener(
        'abort',
        () => {
          const at = this.queue.indexOf(waiter);
          if (at === -1) return;
          this.queue.splice(at, 1);
          reject(abortError(signal));
        },
        { once: true },
      );
    });
  }

  private leave(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.busy = false;
  }
}
