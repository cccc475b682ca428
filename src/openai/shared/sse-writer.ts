import type { Response } from 'express';
import { ErrorEnvelope } from './api-error';
import { drained } from './drained';
import { OffThreadWriter } from './off-thread-writer';

/** The Express app setting (config `offThreadWrites`) that lets streams write from libuv's threadpool. */
export const OFF_THREAD_WRITES = 'llamanest off-thread writes';

/**
 * `data`: chat completions' framing, `data: <json>\n\n` per event and a final `data: [DONE]`.
 * `typed`: the Responses API's, `event: <type>\ndata: <json>\n\n` with a `sequence_number` in every
 * event, ending when the connection closes (no `[DONE]`).
 */
export type SseFraming = 'data' | 'typed';

interface StreamState {
  framing: SseFraming;
  nextSequenceNumber: number;
  /** Writes the events from libuv's threadpool, when the app allows it and the socket can. */
  offThread?: OffThreadWriter;
}

const STATE = Symbol('llamanest:sseStream');

/** An event already written as JSON (by `chunkFrame`); `SseWriter.send` sends it as it is. */
export class JsonEvent<T = unknown> {
  /** Only for the type of what `json` holds. */
  declare readonly value?: T;

  constructor(readonly json: string) {}

  toJSON(): T {
    return JSON.parse(this.json) as T;
  }
}

/**
 * The chunks of one stream share their first fields (`id`, `object`, `created`, `model`) and their
 * last (`usage: null`). Those are written as JSON once; each chunk then writes only its own fields,
 * in between (same text as `JSON.stringify({ ...head, ...own, ...tail })`).
 */
export function chunkFrame<Head extends object, Tail extends object>(head: Head, tail?: Tail): <Own extends object>(own: Own) => JsonEvent<Head & Own & Tail> {
  const inner = (value: object) => JSON.stringify(value).slice(1, -1);
  const start = `{${inner(head)}`;
  const end = tail && Object.keys(tail).length > 0 ? `,${inner(tail)}}` : '}';
  return (own) => {
    const middle = inner(own);
    return new JsonEvent(middle ? `${start},${middle}${end}` : `${start}${end}`);
  };
}

type WithState = Response & { [STATE]?: StreamState };

/**
 * Server-sent events exactly as OpenAI frames them. Writes respect backpressure and stop quietly
 * once the client is gone. Where it can (Linux, plain HTTP; config `offThreadWrites`), the events
 * leave from libuv's threadpool instead of the event-loop thread (see OffThreadWriter). The framing
 * and that writer are kept on the response, so a writer made later for the same response (the
 * exception filter's) continues the stream the same way.
 */
export class SseWriter {
  private readonly state: StreamState;

  constructor(
    private readonly res: Response,
    framing?: SseFraming,
  ) {
    const existing = (res as WithState)[STATE];
    this.state = existing ?? { framing: framing ?? 'data', nextSequenceNumber: 0 };
  }

  /** Whether `res` is an event stream that has started and not ended. */
  static isOpenOn(res: Response): boolean {
    return res.headersSent && !res.writableEnded && !res.destroyed && String(res.getHeader('content-type')).startsWith('text/event-stream');
  }

  open(): void {
    (this.res as WithState)[STATE] = this.state;
    this.res.status(200);
    this.res.set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    this.res.socket?.setNoDelay(true);
    this.res.flushHeaders();
    if (this.res.app?.get(OFF_THREAD_WRITES) === true) this.state.offThread = OffThreadWriter.attach(this.res);
  }

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  /** With typed framing, `data` must have a `type`; its `sequence_number` is added here. */
  async send(data: unknown): Promise<void> {
    if (this.state.framing === 'data') return this.write(`data: ${data instanceof JsonEvent ? data.json : JSON.stringify(data)}\n\n`);
    const event = { ...((data instanceof JsonEvent ? data.toJSON() : data) as { type: string }), sequence_number: this.state.nextSequenceNumber++ };
    await this.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  }

  /**
   * An error after the headers went out: an error event, then the usual end of stream. The typed
   * error event carries OpenAI's `ResponseErrorEvent` fields and the usual `error` object, which
   * the openai clients raise as an APIError.
   */
  async fail(envelope: ErrorEnvelope): Promise<void> {
    if (this.state.framing === 'data') await this.send(envelope);
    else await this.send({ type: 'error', code: envelope.error.code, message: envelope.error.message, param: envelope.error.param, error: envelope.error });
    await this.done();
  }

  /** Ends the stream, after the events written off-thread have gone out. */
  async done(): Promise<void> {
    await this.state.offThread?.flushed();
    if (this.closed) return;
    this.res.end(this.state.framing === 'data' ? 'data: [DONE]\n\n' : undefined);
  }

  private write(chunk: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.state.offThread) return this.state.offThread.writeChunk(chunk);
    if (this.res.write(chunk)) return Promise.resolve();
    return drained(this.res);
  }
}
