import { FakeBackend, fakeConfig, FakeServer } from '../../test/support/fake-engine';

/** Resolves after already-queued promise callbacks have run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('GET /health', () => {
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

  it('answers 503 "loading" while a model is still loading, then 200 "ok" once it has loaded', async () => {
    const loading = await server.fetch('/health');
    expect(loading.status).toBe(503);
    expect(await loading.json()).toEqual({ status: 'loading', models: [{ id: 'fake-model', loaded: false }] });

    backend.finishLoading();
    await settle();

    const ready = await server.fetch('/health');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', models: [{ id: 'fake-model', loaded: true }] });
  });
});

describe('GET /health when a model failed to load', () => {
  let server: FakeServer;

  beforeAll(async () => {
    server = await FakeServer.start(fakeConfig(), new FakeBackend({ failLoading: 'file is not a GGUF' }));
    await settle();
  });

  afterAll(() => server.close());

  it('answers 503 "error" naming the model (not the reason, which may hold paths), and requests for it get a 503 envelope', async () => {
    const health = await server.fetch('/health');
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'error', models: [{ id: 'fake-model', loaded: false, failed: true }] });

    const res = await server.post('/v1/chat/completions', { model: 'fake-model', messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(503);
    expect((await res.json()).error).toMatchObject({ param: 'model', code: 'model_not_available', message: expect.stringContaining('failed to load') });
  });
});
