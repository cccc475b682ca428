import { TestServer } from './support/server';

const MODEL = 'llamanest-demo';
const count = [{ role: 'user' as const, content: 'count' }];
/** The demo model counts forever; n × max_tokens tokens keep a request busy for seconds on any machine. */
const LONG = { model: MODEL, messages: count, max_tokens: 4000, n: 16 };

/** Starts reading an SSE response and resolves with the first bytes plus a promise of the rest. */
async function firstBytes(res: Response): Promise<{ first: string; rest: Promise<string> }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const { value } = await reader.read();
  const first = decoder.decode(value, { stream: true });
  const rest = (async () => {
    let text = '';
    for (;;) {
      const { done, value: chunk } = await reader.read();
      if (done) return text + decoder.decode();
      text += decoder.decode(chunk, { stream: true });
    }
  })();
  return { first, rest };
}

function sseEvents(raw: string): string[] {
  return raw
    .split('\n\n')
    .filter(Boolean)
    .map((block) => block.replace(/^data: /, ''));
}

describe('graceful shutdown (real server processes)', () => {
  it('exits 0 on SIGINT when idle', async () => {
    const server = await TestServer.start();
    server.kill('SIGINT');
    expect(await server.exited()).toEqual({ code: 0, signal: null });
    expect(server.logs).toContain('SIGINT received: shutting down');
  });

  it('lets in-flight requests finish within the drain timeout, refuses new connections, then exits 0', async () => {
    const server = await TestServer.start({ args: ['--drain-timeout', '600'] });
    const openai = server.client();
    const nonStreaming = openai.chat.completions.create({ model: MODEL, messages: count, max_tokens: 1500, n: 2 });
    const stream = await openai.chat.completions.create({ model: MODEL, messages: count, max_tokens: 2500, n: 2, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();

    server.kill('SIGTERM');
    await server.waitForLog(/draining 2 in-flight request\(s\) for up to 600 s/);
    await expect(fetch(`${server.baseUrl}/health`)).rejects.toThrow();

    const finished = new Map<number, string | null>();
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
      for (const choice of step.value.choices) if (choice.finish_reason) finished.set(choice.index, choice.finish_reason);
    }
    expect([...finished.entries()].sort()).toEqual([0, 1].map((i) => [i, 'length']));
    const completion = await nonStreaming;
    expect(completion.choices.map((c) => c.finish_reason)).toEqual(['length', 'length']);
    expect(completion.usage?.completion_tokens).toBe(3000);

    expect(await server.exited()).toEqual({ code: 0, signal: null });
    expect(server.logs).not.toContain('drain timeout reached');
  });

  it('at the drain timeout ends a stream with an error event and [DONE], a plain request with a 503 envelope, and exits 0', async () => {
    const server = await TestServer.start({ args: ['--drain-timeout', '0.5'] });
    const plain = server.postJson('/v1/chat/completions', LONG);
    const streamed = await firstBytes(await server.postJson('/v1/chat/completions', { ...LONG, stream: true }));
    expect(streamed.first).toMatch(/^data: \{/);

    server.kill('SIGTERM');
    const events = sseEvents(streamed.first + (await streamed.rest));
    const envelope = {
      error: {
        message: 'The server is shutting down and could not finish this request. Please retry shortly.',
        type: 'server_error',
        param: null,
        code: 'server_shutting_down',
      },
    };
    expect(events.slice(-2)).toEqual([JSON.stringify(envelope), '[DONE]']);
    expect(events.slice(0, -2).every((e) => JSON.parse(e).object === 'chat.completion.chunk')).toBe(true);

    const res = await plain;
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual(envelope);

    expect(await server.exited()).toEqual({ code: 0, signal: null });
    expect(server.logs).toContain('drain timeout reached: ending 2 request(s) with server_shutting_down');
  });

  it('exits at once on a second signal, with 128 + the signal number', async () => {
    const server = await TestServer.start({ args: ['--drain-timeout', '600'] });
    const streamed = await firstBytes(await server.postJson('/v1/chat/completions', { ...LONG, stream: true }));
    streamed.rest.catch(() => undefined);

    server.kill('SIGTERM');
    await server.waitForLog(/draining 1 in-flight request/);
    server.kill('SIGTERM');
    expect(await server.exited()).toEqual({ code: 143, signal: null });
    expect(server.logs).toContain('SIGTERM received again: exiting now');
  });
});
