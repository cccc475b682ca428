import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { metricValue } from './support/metrics';
import { GREETING, runCli, TestServer } from './support/server';

const hi: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];
const chatBody = (model: string, extra: object = {}) => ({ model, messages: hi, temperature: 0, ...extra });

let demoPath: string;

beforeAll(async () => {
  const { code, output } = await runCli(['demo-model', '--dir', mkdtempSync(join(tmpdir(), 'llamanest-lifecycle-'))]);
  expect(code).toBe(0);
  demoPath = output.trim();
});

const loadedModels = async (server: TestServer) =>
  Object.fromEntries(((await (await server.fetch('/v1/models')).json()).data as { id: string; loaded: boolean }[]).map((m) => [m.id, m.loaded]));
const isLoadLine = (id: string) => (l: Record<string, unknown>) => typeof l.msg === 'string' && l.msg.startsWith(`model ${id} loaded in`);
const loadLines = (server: TestServer, id: string) => server.logLines.filter(isLoadLine(id));
const logged = (msg: string) => (l: Record<string, unknown>) => l.msg === msg;

describe('model lifecycle: load on first use, LRU eviction with maxLoadedModels 1, failures, admin routes', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await TestServer.start({
      args: ['--model', `a=${demoPath}`, '--model', `b=${demoPath}`, '--model', 'broken=/nonexistent/broken.gguf', '--max-loaded-models', '1'],
    });
  });
  afterAll(() => server.stop());

  it('starts ready with nothing loaded, then loads a model once for concurrent first requests', async () => {
    expect((await server.fetch('/ready')).status).toBe(200);
    expect(await loadedModels(server)).toEqual({ a: false, b: false, broken: false });

    const answers = await Promise.all(Array.from({ length: 4 }, () => server.client().chat.completions.create(chatBody('a'))));
    expect(answers.map((c) => c.choices[0].message.content)).toEqual(Array(4).fill(GREETING));
    await server.waitForLog(isLoadLine('a'));
    expect(loadLines(server, 'a')).toHaveLength(1);
    expect(await loadedModels(server)).toEqual({ a: true, b: false, broken: false });
    const metrics = await (await server.fetch('/metrics')).text();
    expect(metricValue(metrics, 'llamanest_loaded_models')).toBe(1);
    expect(metricValue(metrics, 'llamanest_model_load_seconds', { model: 'a' })).toBeGreaterThan(0);
  });

  it('evicts the least recently used idle model to load another', async () => {
    const answer = await server.client().chat.completions.create(chatBody('b'));
    expect(answer.choices[0].message.content).toBe(GREETING);
    expect(await loadedModels(server)).toEqual({ a: false, b: true, broken: false });
    await server.waitForLog(logged('model a unloaded to make room for b'));
    expect(metricValue(await (await server.fetch('/metrics')).text(), 'llamanest_loaded_models')).toBe(1);
  });

  it('never evicts a model that is generating: the other model gets 503 model_capacity_reached until it is free', async () => {
    const stream = await server.postJson('/v1/chat/completions', { model: 'b', messages: [{ role: 'user', content: 'count' }], max_tokens: 3000, stream: true });
    const reader = stream.body!.getReader();
    await reader.read(); // b is generating for this request now

    const refused = await server.postJson('/v1/chat/completions', chatBody('a'));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await refused.json()).error).toEqual({
      message: "The model 'a' cannot be loaded now: the server keeps at most 1 model(s) loaded and all of them are in use. Please retry after 1 seconds.",
      type: 'server_error',
      param: 'model',
      code: 'model_capacity_reached',
    });
    expect(await loadedModels(server)).toEqual({ a: false, b: true, broken: false });

    await reader.cancel(); // the client leaves: b is released
    let status = 503;
    for (let attempt = 0; attempt < 100 && status === 503; attempt++) {
      status = (await server.postJson('/v1/chat/completions', chatBody('a'))).status;
      if (status === 503) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
    expect(await loadedModels(server)).toEqual({ a: true, b: false, broken: false });
  });

  it('a model that fails to load gets a clear 503 and leaves the others serving', async () => {
    const failed = await server.postJson('/v1/chat/completions', chatBody('broken'));
    expect(failed.status).toBe(503);
    expect((await failed.json()).error).toMatchObject({ code: 'model_not_available', param: 'model', message: expect.stringContaining("'broken'") });
    expect((await server.client().chat.completions.create(chatBody('a'))).choices[0].message.content).toBe(GREETING);
    expect(await loadedModels(server)).toEqual({ a: true, b: false, broken: false });
  });

  it('loads and unloads models through POST /admin/models/{id}/load and /unload', async () => {
    const unload = await server.postJson('/admin/models/a/unload', {});
    expect(unload.status).toBe(200);
    expect(await unload.json()).toEqual({ id: 'a', object: 'model', loaded: false, failed: false, context_length: 4096 });

    const load = await server.postJson('/admin/models/b/load', {});
    expect(load.status).toBe(200);
    expect(await load.json()).toMatchObject({ id: 'b', loaded: true });
    expect(await loadedModels(server)).toEqual({ a: false, b: true, broken: false });

    const broken = await server.postJson('/admin/models/broken/load', {});
    expect(broken.status).toBe(503);
    expect((await broken.json()).error.code).toBe('model_not_available');

    const unknown = await server.postJson('/admin/models/nope/load', {});
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('model_not_found');
  });
});

describe('model lifecycle: idle unload, preload, memory refusal', () => {
  it('unloads a model after idleTimeout and loads it again on the next request', async () => {
    const server = await TestServer.start({ args: ['--model', `a=${demoPath}`, '--idle-timeout', '500ms', '--preload'] });
    try {
      // --preload: loaded before /ready answered 200
      await server.waitForLog(isLoadLine('a'));
      let loaded = true;
      for (let attempt = 0; attempt < 200 && loaded; attempt++) {
        loaded = (await loadedModels(server)).a;
        if (loaded) await new Promise((r) => setTimeout(r, 50));
      }
      expect(loaded).toBe(false);
      await server.waitForLog(logged('model a unloaded after 0.5 s idle'));
      expect(metricValue(await (await server.fetch('/metrics')).text(), 'llamanest_loaded_models')).toBe(0);

      expect((await server.client().chat.completions.create(chatBody('a'))).choices[0].message.content).toBe(GREETING);
      await server.waitForLog(() => loadLines(server, 'a').length === 2);
    } finally {
      await server.stop();
    }
  });

  it('refuses with 503 insufficient_memory, rather than loading, a model beyond the memory budget', async () => {
    const server = await TestServer.start({ args: ['--model', `a=${demoPath}`, '--memory-budget', '1kb'] });
    try {
      const res = await server.postJson('/v1/chat/completions', chatBody('a'));
      expect(res.status).toBe(503);
      const { error } = await res.json();
      expect(error).toMatchObject({ type: 'server_error', param: 'model', code: 'insufficient_memory' });
      expect(error.message).toMatch(/^The model 'a' cannot be loaded now: it needs about \d+ MiB of memory but only 1 MiB are left in the configured memory budget/);
      expect(loadLines(server, 'a')).toHaveLength(0);
      expect((await server.fetch('/health')).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
