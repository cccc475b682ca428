import express, { Response } from 'express';
import { readdirSync, readlinkSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import { OffThreadWriter } from './off-thread-writer';
import { OFF_THREAD_WRITES, SseWriter } from './sse-writer';

/** What the descriptor `fd` is open on (`socket:[inode]` for a socket). */
const openOn = (fd: number | string) => readlinkSync(`/proc/self/fd/${fd}`);

/** How many of this process's descriptors are open on `target`. */
function descriptorsOn(target: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return openOn(fd) === target;
    } catch {
      return false; // the directory listing's own descriptor, closed by now
    }
  }).length;
}

/** An Express app whose route runs `handler` on an SSE stream; resolves with the base URL. */
async function serve(offThread: boolean, handler: (sse: SseWriter, res: Response) => Promise<void>): Promise<{ url: string; server: Server }> {
  const app = express();
  app.set(OFF_THREAD_WRITES, offThread);
  app.get('/events', (_req, res) => {
    const sse = new SseWriter(res);
    sse.open();
    void handler(sse, res);
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const close = (server: Server) => new Promise((resolve) => server.close(resolve));

// Linux with the engine-hooks addon built (as in `npm install` here): the off-thread path is taken.
describe('off-thread writes: streamed events leave from libuv’s threadpool, in order, through a duplicate descriptor', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await close(server);
    server = undefined;
  });

  it('sends every event in order without Node’s socket stream, and ends the chunked body properly', async () => {
    let streamBytes: number[] = [];
    let target = '';
    const started = await serve(true, async (sse, res) => {
      target = openOn((res.socket as unknown as { _handle: { fd: number } })._handle.fd);
      const before = res.socket!.bytesWritten;
      for (let i = 0; i < 300; i++) await sse.send({ i });
      streamBytes = [before, res.socket!.bytesWritten];
      await sse.done();
    });
    server = started.server;
    const body = await (await fetch(`${started.url}/events`)).text();
    expect(body).toBe([...Array.from({ length: 300 }, (_, i) => `data: {"i":${i}}\n\n`), 'data: [DONE]\n\n'].join(''));
    // 300 events went out, and Node's socket stream wrote none of their bytes.
    expect(streamBytes[1]).toBe(streamBytes[0]);
    // The connection stays open for the next request (keep-alive), the duplicate does not.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(descriptorsOn(target)).toBe(1);
  });

  it('writes through Node’s stream as before when the setting is off', async () => {
    let written = 0;
    const started = await serve(false, async (sse, res) => {
      const before = res.socket!.bytesWritten;
      for (let i = 0; i < 50; i++) await sse.send({ i });
      await new Promise((resolve) => setImmediate(resolve));
      written = res.socket!.bytesWritten - before;
      await sse.done();
    });
    server = started.server;
    const body = await (await fetch(`${started.url}/events`)).text();
    expect(body.split('\n\n').length).toBe(52);
    expect(written).toBeGreaterThan(50 * 'data: {"i":0}\n\n'.length);
  });

  it('hands the rest to the socket’s stream, in order and with its backpressure, when a slow reader fills the socket', async () => {
    const event = 'x'.repeat(16 * 1024);
    const count = 2000; // 32 MB: far more than the socket buffers hold
    let streamed = 0;
    const started = await serve(true, async (sse, res) => {
      const before = res.socket!.bytesWritten;
      for (let i = 0; i < count; i++) await sse.send({ i, event });
      streamed = res.socket!.bytesWritten - before;
      await sse.done();
    });
    server = started.server;
    const res = await fetch(`${started.url}/events`);
    const reader = res.body!.getReader();
    await new Promise((resolve) => setTimeout(resolve, 300)); // not reading yet: the socket fills up
    const decoder = new TextDecoder();
    let body = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) body += decoder.decode(r.value, { stream: true });
    const events = body.split('\n\n').filter(Boolean);
    expect(events).toHaveLength(count + 1);
    events.slice(0, count).forEach((e, i) => expect(e).toBe(`data: {"i":${i},"event":"${event}"}`));
    expect(events[count]).toBe('data: [DONE]');
    // The socket would block at some point, and its stream took over from there.
    expect(streamed).toBeGreaterThan(0);
  });

  it('stops quietly when the client leaves, and closes its descriptor once the response has closed', async () => {
    let sent = 0;
    let closedAt = 0;
    let target = '';
    let during = 0;
    const started = await serve(true, async (sse, res) => {
      const fd = (res.socket as unknown as { _handle: { fd: number } })._handle.fd;
      target = openOn(fd);
      during = descriptorsOn(target);
      res.on('close', () => (closedAt = sent));
      while (!sse.closed && sent < 100_000) {
        await sse.send({ sent: sent++ });
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await sse.done();
    });
    server = started.server;
    const socket: Socket = connect((started.server.address() as AddressInfo).port, '127.0.0.1');
    socket.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    for (let i = 0; i < 100 && closedAt === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closedAt).toBeGreaterThan(0);
    await close(started.server);
    server = undefined;
    await new Promise((resolve) => setTimeout(resolve, 50));
    // While streaming, Node's descriptor and the writer's duplicate; afterwards neither.
    expect(during).toBe(2);
    expect(descriptorsOn(target)).toBe(0);
  });

  it('is not attached to a TLS socket or to a response whose headers are still buffered', () => {
    const tls = { socket: Object.assign(new Socket(), { encrypted: true }), chunkedEncoding: true, headersSent: true, writableLength: 0 };
    expect(OffThreadWriter.attach(tls as unknown as Response)).toBeUndefined();
    const buffered = { socket: new Socket(), chunkedEncoding: true, headersSent: false, writableLength: 0 };
    expect(OffThreadWriter.attach(buffered as unknown as Response)).toBeUndefined();
  });
});
