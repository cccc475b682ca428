import OpenAI from 'openai';
import { metricValue } from './support/metrics';
import { GREETING, TestServer } from './support/server';

const KEY_A = 'sk-observe-first-0123456789';
const KEY_B = 'sk-observe-second-0123456789';
const MODEL = 'llamanest-demo';
const hi: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];

describe('request ids, metrics and request logs', () => {
  let server: TestServer;
  const auth = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    server = await TestServer.start({ env: { LLAMANEST_API_KEYS: `${KEY_A},${KEY_B}` } });
  });
  afterAll(() => server.stop());

  it('echoes a client x-request-id and mints one otherwise', async () => {
    const echoed = await server.fetch('/health', { headers: { 'x-request-id': 'client-id-42' } });
    expect(echoed.headers.get('x-request-id')).toBe('client-id-42');
    const minted = await server.fetch('/health');
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await server.fetch('/health', { headers: { 'x-request-id': 'x'.repeat(300) } });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('counts exactly the requests, tokens and timings that were served, per model and key', async () => {
    const a = server.client(KEY_A);
    const b = server.client(KEY_B);
    const first = await a.chat.completions.create({ model: MODEL, messages: hi, temperature: 0 });
    const second = await a.chat.completions.create({ model: MODEL, messages: hi, temperature: 0, max_tokens: 3 });
    const stream = await b.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'count' }],
      max_tokens: 7,
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamUsage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) streamUsage = chunk.usage ?? streamUsage;
    await a.chat.completions.create({ model: 'missing', messages: hi }).catch(() => undefined);
    await server.client('sk-wrong-key-0000').models.list().catch(() => undefined);

    const unauthorized = await server.fetch('/metrics');
    expect(unauthorized.status).toBe(401);
    const res = await server.fetch('/metrics', { headers: auth(KEY_A) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const text = await res.text();
    const m = (name: string, labels: Record<string, string> = {}) => metricValue(text, name, labels);

    expect(m('llamanest_requests_total', { route: '/v1/chat/completions', status: '200' })).toBe(3);
    expect(m('llamanest_requests_total', { route: '/v1/chat/completions', status: '404' })).toBe(1);
    expect(m('llamanest_requests_total', { route: '/v1/models', status: '401' })).toBe(1);
    expect(m('llamanest_requests_total', { route: '/metrics', status: '401' })).toBe(1);

    const keyA = { model: MODEL, key: 'static-key-1' };
    const keyB = { model: MODEL, key: 'static-key-2' };
    expect(m('llamanest_prompt_tokens_total', keyA)).toBe(first.usage!.prompt_tokens + second.usage!.prompt_tokens);
    expect(m('llamanest_generated_tokens_total', keyA)).toBe(first.usage!.completion_tokens + second.usage!.completion_tokens);
    expect(m('llamanest_cached_tokens_total', keyA)).toBe(
      first.usage!.prompt_tokens_details!.cached_tokens! + second.usage!.prompt_tokens_details!.cached_tokens!,
    );
    expect(m('llamanest_prompt_tokens_total', keyB)).toBe(streamUsage!.prompt_tokens);
    expect(m('llamanest_generated_tokens_total', keyB)).toBe(7);

    expect(m('llamanest_time_to_first_token_seconds_count', { model: MODEL })).toBe(3);
    const tokens = first.usage!.completion_tokens + second.usage!.completion_tokens + 7;
    expect(m('llamanest_inter_token_latency_seconds_count', { model: MODEL })).toBe(tokens - 3);
    expect(m('llamanest_request_duration_seconds_count', { route: '/v1/chat/completions' })).toBe(4);
    expect(m('llamanest_loaded_models')).toBe(1);
    expect(m('llamanest_queue_depth', { model: MODEL })).toBe(0);
    expect(m('llamanest_active_sequences', { model: MODEL })).toBe(0);
  });

  it('writes one JSON log line per request with its id, key name, model, tokens, TTFT and duration, never the key', async () => {
    const completion = await server.client(KEY_B).chat.completions.create(
      { model: MODEL, messages: hi, temperature: 0 },
      { headers: { 'x-request-id': 'log-line-check-1' } },
    );
    expect(completion.choices[0].message.content).toBe(GREETING);
    const line = (await server.waitForLog((l) => l.reqId === 'log-line-check-1' && l.context === 'http'))!;
    expect(line).toMatchObject({
      level: 30,
      msg: 'POST /v1/chat/completions 200',
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      key: 'static-key-2',
      model: MODEL,
      promptTokens: completion.usage!.prompt_tokens,
      completionTokens: completion.usage!.completion_tokens,
      cachedTokens: completion.usage!.prompt_tokens_details!.cached_tokens,
      ttftMs: expect.any(Number),
      durationMs: expect.any(Number),
    });
    expect(line!.ttftMs as number).toBeLessThanOrEqual(line!.durationMs as number);
    expect(server.logLines.filter((l) => l.reqId === 'log-line-check-1' && l.context === 'http')).toHaveLength(1);
    expect(server.logs).not.toContain(KEY_A);
    expect(server.logs).not.toContain(KEY_B);
  });
});

describe('prompt cache', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await TestServer.start({ env: { LLAMANEST_METRICS: 'false' } });
  });
  afterAll(() => server.stop());

  it('a re-sent multi-turn conversation reuses the KV cache of its first turn, even after another conversation ran', async () => {
    const openai = server.client();
    const turn1: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi there, please introduce yourself to me' }];
    const first = await openai.chat.completions.create({ model: MODEL, messages: turn1, temperature: 0 });
    expect(first.usage!.prompt_tokens_details!.cached_tokens).toBe(0);

    const other = await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'A different conversation' }], temperature: 0 });
    expect(other.choices[0].message.content).toBe(GREETING);

    const turn2: OpenAI.ChatCompletionMessageParam[] = [...turn1, first.choices[0].message, { role: 'user', content: 'And what else?' }];
    const second = await openai.chat.completions.create({ model: MODEL, messages: turn2, temperature: 0 });
    const cached = second.usage!.prompt_tokens_details!.cached_tokens!;
    // at least the whole first prompt is reused, the new turn is evaluated
    expect(cached).toBeGreaterThanOrEqual(first.usage!.prompt_tokens);
    expect(cached).toBeLessThan(second.usage!.prompt_tokens);
  });

  it('answers 404 on /metrics when metrics are switched off', async () => {
    const res = await server.fetch('/metrics');
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('unknown_url');
  });
});
