import type { Response } from 'express';
import { close, write } from 'node:fs';
import type { Socket } from 'node:net';
import { duplicateDescriptor } from '../../inference/engine-hooks';
import { drained } from './drained';

/** Bytes queued behind a write in progress before `write` asks its caller to wait. */
const HIGH_WATER_MARK = 64 * 1024;
const RESOLVED = Promise.resolve();

/**
 * Writes a chunked HTTP/1.1 response body from libuv's threadpool instead of the event-loop thread.
 *
 * A streamed answer writes a small event per token. Through Node's HTTP response, the `writev` of
 * every event runs on the event-loop thread, which is also the thread that runs the next decode; on
 * loopback TCP that system call takes 60–90 µs here (it carries the receiving side's work too), a few
 * percent of a token on a small model. llama-server writes from its HTTP threads while the next token
 * decodes; this does the same with `fs.write` on the socket, which libuv runs on a worker thread.
 * (Waking that thread is not free either: 40–125 µs of the event loop's time in the server here.)
 *
 * - It writes through its own duplicate of the socket's descriptor (the engine-hooks addon's `dupFd`),
 *   closed once the response has closed: a write still queued when Node closes the socket can then
 *   never reach another connection that has reused the number.
 * - One write at a time, in order; events queued meanwhile go out together in the next one.
 * - When the socket would block (a slow reader) or takes part of a write, the rest and everything
 *   after it go through the socket's own stream, in order, with its backpressure.
 * - Any other error (the client has gone) destroys the socket, as Node does on a failed write.
 *
 * Only for a plain TCP socket (TLS encrypts in Node), a chunked response whose headers Node has written
 * out, and with the addon loaded (Linux); otherwise `attach` returns undefined and Node writes as usual.
 */
export class OffThreadWriter {
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private writing = false;
  /** The socket's own stream writes from now on (would block, or a partial write). */
  private streamed = false;
  /** Client gone, or the response closed: nothing more is written. */
  private stopped = false;
  private waiting: (() => void)[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly fd: number,
  ) {}

  static attach(res: Response): OffThreadWriter | undefined {
    const socket = res.socket;
    const fd = (socket as (Socket & { _handle?: { fd?: number } }) | null)?._handle?.fd;
    const chunked = (res as Response & { chunkedEncoding?: boolean }).chunkedEncoding === true;
    if (!socket || 'encrypted' in socket || typeof fd !== 'number' || fd < 0 || !chunked || !res.headersSent) return undefined;
    // The headers must be on the wire already: everything from here on is ours, in order.
    if (socket.writableLength > 0 || res.writableLength > 0) return undefined;
    const own = duplicateDescriptor(fd);
    if (own === undefined) return undefined;
    const writer = new OffThreadWriter(socket, own);
    res.once('close', () => void writer.close());
    return writer;
  }

  /** Writes `text` as one chunk; resolves when the caller may write more. */
  writeChunk(text: string): Promise<void> {
    return this.push(Buffer.from(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`));
  }

  /** Resolves once every chunk written so far has left this writer (to the socket or its stream). */
  flushed(): Promise<void> {
    return this.writing ? new Promise((resolve) => this.waiting.push(resolve)) : RESOLVED;
  }

  private push(bytes: Buffer): Promise<void> {
    if (this.stopped) return RESOLVED;
    if (this.streamed) return this.toStream(bytes);
    this.queue.push(bytes);
    this.queuedBytes += bytes.length;
    if (!this.writing) this.next();
    return this.queuedBytes > HIGH_WATER_MARK ? this.flushed() : RESOLVED;
  }

  private next(): void {
    const bytes = this.queue.length === 1 ? this.queue[0] : Buffer.concat(this.queue);
    this.queue = [];
    this.queuedBytes = 0;
    this.writing = true;
    write(this.fd, bytes, 0, bytes.length, null, (error, written) => {
      this.writing = false;
      if (this.stopped) {
        // The response has closed: nothing more goes to this socket (it may carry the next response).
      } else if (error?.code === 'EAGAIN' || (!error && written < bytes.length)) {
        this.streamed = true;
        void this.toStream(Buffer.concat([bytes.subarray(error ? 0 : written), ...this.queue]));
        this.queue = [];
        this.queuedBytes = 0;
      } else if (error) {
        this.stopped = true;
        this.socket.destroy();
      } else if (this.queue.length > 0) {
        return this.next();
      }
      for (const resolve of this.waiting.splice(0)) resolve();
    });
  }

  private toStream(bytes: Buffer): Promise<void> {
    if (this.socket.destroyed || this.socket.write(bytes)) return RESOLVED;
    return drained(this.socket);
  }

  /** After the response has closed: drops what is queued, and closes the descriptor once no write uses it. */
  private async close(): Promise<void> {
    this.stopped = true;
    this.queue = [];
    await this.flushed();
    close(this.fd, () => undefined);
  }
}
