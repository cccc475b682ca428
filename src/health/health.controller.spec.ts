import { FakeBackend, fakeConfig, FakeServer } from '../../test/support/fake-engine';

/** Resolves after already-queued promise callbacks have run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('GET /health and GET /ready while a preloaded model loads', () => {
  let server: FakeServer;
  let backend: FakeBackend;

  beforeAll(async () => {
    backend = new FakeBackend({ holdLoading: true });
    server = await FakeServer.start(fakeConfig(), backend);
  });

  afterAll(async () => {
    backend.finishLoading();
    await server.close();
  });

  it('/health is 200 throughout; /ready is 503 "loading" until the preload is done, then 200 "ready"', async () => {
    const health = await server.fetch('/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const loading = await server.fetch('/ready');
    expect(loading.status).toBe(503);
    expect(await loading.json()).toEqual({ status: 'loading', models: [{ id: 'fake-model', loaded: false, preload: true }] });

    backend.finishLoading();
    await settle();

    const ready = await server.fetch('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', models: [{ id: 'fake-model', loaded: true, preload: true }] });
  });
});

describe('GET /ready without preload', () => {
  it('is 200 at once, while the model is not loaded yet', async () => {
    const server = await FakeServer.start(fakeConfig({ preload: false }));
    try {
      const res = await server.fetch('/ready');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ready', models: [{ id: 'fake-model', loaded: false, preload: false }] });
    } finally {
      await server.close();
    }
  });
});

describe('GET /ready when a preloaded model failed to load', () => {
  let server: FakeServer;

  beforeAll(async () => {
    server = await FakeServer.start(fakeConfig(), new FakeBackend({ failLoading: 'file is not a GGUF' }));
    await settle();
  });

  afterAll(() => server.close());

  it('answers 503 "error" naming the model (not the reason, which may hold paths), /health stays 200, requests get a 503 envelope', async () => {
    const ready = await server.fetch('/ready');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'error', models: [{ id: 'fake-model', loaded: false, preload: true, failed: true }] });
    expect((await server.fetch('/health')).status).toBe(200);

    const res = await server.post('/v1/chat/completions', { model: 'fake-model', messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(503);
    expect((await res.json()).error).toMatchObject({ param: 'model', code: 'model_not_available', message: expect.stringContaining('failed to load') });
  });
});
