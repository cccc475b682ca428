import { FAKE_MODEL_ID, fakeConfig, FakeServer } from '../../../test/support/fake-engine';

const UNIT = [Math.fround(0.6), Math.fround(0.8), 0];

describe('POST /v1/embeddings (wire layer over a fake engine)', () => {
  let server: FakeServer;

  beforeAll(async () => {
    server = await FakeServer.start();
  });
  afterAll(() => server.close());
  beforeEach(() => (server.backend.model.embedCalls.length = 0));

  const embed = (body: Record<string, unknown>) => server.post('/v1/embeddings', { model: FAKE_MODEL_ID, ...body });

  async function expectError(res: Response, status: number, param: string | null, code: string | null) {
    const body = await res.json();
    expect({ status: res.status, param: body.error.param, code: body.error.code }).toEqual({ status, param, code });
    expect(body.error).toEqual({ message: expect.any(String), type: 'invalid_request_error', param, code });
    return body.error.message as string;
  }

  it('returns a CreateEmbeddingResponse of exactly the OpenAI shape, unit vectors in float32', async () => {
    const res = await embed({ input: ['ab', 'abc'], model: 'fake-alias' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: UNIT },
        { object: 'embedding', index: 1, embedding: UNIT },
      ],
      model: FAKE_MODEL_ID,
      // 2 + 3 characters, plus the start token on each input
      usage: { prompt_tokens: 7, total_tokens: 7 },
    });
    expect(server.backend.model.embedCalls).toEqual([[100, 1, 1], [100, 1, 1, 1]]);
  });

  it('encodes base64 as little-endian float32 with the same values', async () => {
    const body = await (await embed({ input: [5, 6], encoding_format: 'base64', dimensions: 3, user: 'u-1' })).json();
    const bytes = Buffer.from(body.data[0].embedding, 'base64');
    expect(bytes.length).toBe(12);
    expect([0, 4, 8].map((at) => bytes.readFloatLE(at))).toEqual(UNIT);
    expect(server.backend.model.embedCalls).toEqual([[100, 5, 6]]);
  });

  it.each([
    [{ input: '' }, 'input'],
    [{ input: [] }, 'input'],
    [{ input: ['a', '', 'b'] }, 'input[1]'],
    [{ input: ['a', 'b', 3] }, 'input[2]'],
    [{ input: [[1], []] }, 'input[1]'],
    [{ input: [[1], [2, -1]] }, 'input[1][1]'],
    [{ input: [1, 2.5] }, 'input[1]'],
    [{ input: { text: 'a' } }, 'input'],
    [{ input: undefined }, 'input'],
    [{ input: Array(2049).fill('a') }, 'input'],
    [{ input: 'a', encoding_format: 'binary' }, 'encoding_format'],
    [{ input: 'a', dimensions: 0 }, 'dimensions'],
    [{ input: 'a', dimensions: 1.5 }, 'dimensions'],
    [{ input: 'a', user: 7 }, 'user'],
    [{ input: 'a', model: 5 }, 'model'],
  ])('refuses %j naming %s', async (body, param) => {
    await expectError(await embed(body), 400, param, 'invalid_value');
    expect(server.backend.model.embedCalls).toEqual([]);
  });

  it('refuses dimensions other than the model\'s own, token ids beyond the vocabulary and inputs beyond the context', async () => {
    expect(await expectError(await embed({ input: 'a', dimensions: 2 }), 400, 'dimensions', 'invalid_value')).toMatch(/3 dimensions/);
    await expectError(await embed({ input: [[1], [2, 128]] }), 400, 'input[1][1]', 'invalid_value');
    await expectError(await embed({ input: [1, 999] }), 400, 'input[1]', 'invalid_value');
    // 8 tokens fit (7 characters + start token), 9 do not; nothing is evaluated when one input is too long
    const message = await expectError(await embed({ input: ['abc', 'abcdefgh', 'abcdefg'] }), 400, 'input[1]', 'context_length_exceeded');
    expect(message).toMatch(/maximum input length is 8 tokens.*input 1 has 9 tokens/);
    await expectError(await embed({ input: 'abcdefgh' }), 400, 'input', 'context_length_exceeded');
    expect(server.backend.model.embedCalls).toEqual([]);
  });

  it('answers 404 for an unknown model', async () => {
    await expectError(await embed({ input: 'a', model: 'nope' }), 404, 'model', 'model_not_found');
  });
});

describe('an embedding-only model', () => {
  let server: FakeServer;

  beforeAll(async () => {
    const base = fakeConfig();
    server = await FakeServer.start(fakeConfig({ models: [{ ...base.models[0], embedding: true }] }));
  });
  afterAll(() => server.close());

  it('serves embeddings, lists only that capability and refuses chat naming the model', async () => {
    expect((await server.post('/v1/embeddings', { model: FAKE_MODEL_ID, input: 'a' })).status).toBe(200);
    const model = await (await server.fetch(`/v1/models/${FAKE_MODEL_ID}`)).json();
    expect(model.capabilities).toEqual(['embeddings']);
    const res = await server.post('/v1/chat/completions', { model: FAKE_MODEL_ID, messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toEqual({
      message: `The model '${FAKE_MODEL_ID}' does not serve chat; it serves: embeddings.`,
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_supported',
    });
  });
});
