import { FAKE_MODEL_ID, fakeConfig, FakeServer } from '../../test/support/fake-engine';

const KEY = 'sk-test-0123456789';

describe('API keys (guard over the real pipeline)', () => {
  let server: FakeServer;

  beforeAll(async () => {
    server = await FakeServer.start(fakeConfig({ auth: { keys: ['sk-other-key-000', KEY] } }));
  });

  afterAll(async () => {
    await server.close();
  });

  const chat = (headers: Record<string, string> = {}) =>
    server.post('/v1/chat/completions', { model: FAKE_MODEL_ID, messages: [{ role: 'user', content: 'Hi' }] }, headers);

  it('answers a request without a key with 401 and the OpenAI envelope', async () => {
    const res = await chat();
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: {
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });

  it.each([
    ['a wrong key', `Bearer ${KEY}x`],
    ['a prefix of the key', `Bearer ${KEY.slice(0, -1)}`],
    ['the key without Bearer', KEY],
    ['basic auth', `Basic ${Buffer.from(`user:${KEY}`).toString('base64')}`],
  ])('answers %s with 401 invalid_api_key', async (_case, authorization) => {
    const res = await chat({ authorization });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    });
  });

  it('checks the key before validating the body', async () => {
    const res = await server.post('/v1/chat/completions', { temperature: 'hot' });
    expect(res.status).toBe(401);
  });

  it('serves a request with any configured key', async () => {
    const res = await chat({ authorization: `Bearer ${KEY}` });
    expect(res.status).toBe(200);
    expect((await res.json()).choices[0].message.content).toBe('Hello world!');
    expect((await chat({ authorization: 'Bearer sk-other-key-000' })).status).toBe(200);
  });

  it('protects the model list too', async () => {
    expect((await server.fetch('/v1/models')).status).toBe(401);
    expect((await server.fetch('/v1/models', { headers: { authorization: `Bearer ${KEY}` } })).status).toBe(200);
  });

  it('leaves /health public', async () => {
    const res = await server.fetch('/health');
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe('ok');
  });
});

describe('without configured keys', () => {
  it('serves requests with or without an Authorization header', async () => {
    const server = await FakeServer.start();
    try {
      const body = { model: FAKE_MODEL_ID, messages: [{ role: 'user', content: 'Hi' }] };
      expect((await server.post('/v1/chat/completions', body)).status).toBe(200);
      expect((await server.post('/v1/chat/completions', body, { authorization: 'Bearer anything-at-all' })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
