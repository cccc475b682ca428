import type { Response } from 'express';
import { ErrorEnvelope } from './api-error';

/**
 * Server-sent events exactly as OpenAI frames them: `data: <json>\n\n` per event and a final
 * `data: [DONE]`. Writes respect backpressure and stop quietly once the client is gone.
 */
export class SseWriter {
  constructor(private readonly res: Response) {}

  /** Whether `res` is an event stream that has started and not ended. */
  static isOpenOn(res: Response): boolean {
    return res.headersSent && !res.writableEnded && !res.destroyed && String(res.getHeader('content-type')).startsWith('text/event-stream');
  }

  open(): void {
    this.res.status(200);
    this.res.set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    this.res.socket?.setNoDelay(true);
    this.res.flushHeaders();
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  async send(data: unknown): Promise<void> {
    await this.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  /** An error after the headers went out: an error event, then the usual end of stream. */
  async fail(envelope: ErrorEnvelope): Promise<void> {
    await this.send(envelope);
    this.done();
  }

  done(): void {
    if (this.closed) return;
    this.res.end('data: [DONE]\n\n');
  }

  private write(chunk: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.res.write(chunk)) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        this.res.off('drain', finish);
        this.res.off('close', finish);
        resolve();
      };
      this.res.on('drain', finish);
      this.res.on('close', finish);
    });
  }
}
