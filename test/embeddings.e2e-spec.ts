import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { GREETING, runCli, TestServer } from './support/server';

const KEY = 'sk-test-embeddings-0123456789';
const MODEL = 'llamanest-demo';
/** The same demo GGUF configured with `embedding: true` and a 64-token context. */
const EMBED_ONLY = 'demo-embed';
/** The demo model's hidden size. */
const DIMENSIONS = 64;
const auth = { authorization: `Bearer ${KEY}` };

function decodeBase64(embedding: string): number[] {
  const bytes = Buffer.from(embedding, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

function dot(a: number[], b: number[]): number {
  return a.reduce((sum, x, i) => sum + x * b[i], 0);
}

describe('embeddings, tokenize and detokenize on the demo model', () => {
  let server: TestServer;
  let openai: OpenAI;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llamanest-embeddings-'));
    const { output } = await runCli(['demo-model', '--dir', dir]);
    const demoPath = output.trim();
    const config = join(dir, 'llamanest.yaml');
    writeFileSync(
      config,
      [
        'models:',
        `  - path: ${demoPath}`,
        `  - id: ${EMBED_ONLY}`,
        `    path: ${demoPath}`,
        '    embedding: true',
        '    contextSize: 64',
      ].join('\n'),
    );
    server = await TestServer.start({ args: ['--config', config], env: { LLAMANEST_API_KEYS: KEY } });
    openai = server.client(KEY);
  });
  afterAll(() => server.stop());

  const post = (path: string, body: unknown, headers: Record<string, string> = auth) => server.postJson(path, body, headers);
  const tokenize = async (content: string, extra: Record<string, unknown> = {}): Promise<number[]> =>
    (await (await post('/tokenize', { model: MODEL, content, ...extra })).json()).tokens;

  async function expectError(res: Response, status: number, param: string | null, code: string | null): Promise<string> {
    const body = await res.json();
    expect({ status: res.status, error: body.error }).toEqual({ status, error: { message: expect.any(String), type: 'invalid_request_error', param, code } });
    return body.error.message;
  }

  describe('POST /tokenize and /detokenize', () => {
    it('round-trips the demo greeting as 9 tokens, with pieces on request', async () => {
      const tokens = await tokenize(GREETING);
      expect(tokens).toHaveLength(9);
      expect(tokens.every((t) => Number.isInteger(t))).toBe(true);
      const res = await post('/detokenize', { model: MODEL, tokens });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ content: GREETING });

      const withPieces = await (await post('/tokenize', { model: MODEL, text: GREETING, with_pieces: true })).json();
      expect(withPieces.tokens.map((t: { id: number }) => t.id)).toEqual(tokens);
      expect(withPieces.tokens.map((t: { piece: string }) => t.piece)).toEqual(['Hello', '!', ' I', ' am', ' the', ' llamanest', ' demo', ' model', '.']);
    });

    it('gives the bytes of pieces that are part of a character, and reads special tokens unless told not to', async () => {
      const body = await (await post('/tokenize', { model: MODEL, content: 'é<|im_end|>', with_pieces: true })).json();
      expect(body.tokens.map((t: { piece: unknown }) => t.piece)).toEqual([[0xc3], [0xa9], '<|im_end|>']);
      const special = body.tokens[2].id;
      expect(await tokenize('<|im_end|>', { parse_special: false })).not.toContain(special);
      expect(await (await post('/detokenize', { model: MODEL, tokens: body.tokens.map((t: { id: number }) => t.id) })).json()).toEqual({ content: 'é<|im_end|>' });
    });

    it('resolves aliases and the embedding-only model alike, and an empty text is no tokens', async () => {
      expect(await (await post('/tokenize', { model: EMBED_ONLY, content: GREETING })).json()).toEqual({ tokens: await tokenize(GREETING) });
      expect(await tokenize('')).toEqual([]);
      expect(await (await post('/detokenize', { model: MODEL, tokens: [] })).json()).toEqual({ content: '' });
    });

    it('refuses bad requests naming the parameter', async () => {
      const message = await expectError(await post('/detokenize', { model: MODEL, tokens: [365, 100000] }), 400, 'tokens[1]', 'invalid_value');
      expect(message).toMatch(/100000 is out of range/);
      await expectError(await post('/detokenize', { model: MODEL, tokens: [365, -1] }), 400, 'tokens[1]', 'invalid_value');
      await expectError(await post('/detokenize', { model: MODEL, tokens: '365' }), 400, 'tokens', 'invalid_value');
      await expectError(await post('/tokenize', { model: MODEL }), 400, 'content', null);
      await expectError(await post('/tokenize', { model: MODEL, content: 'a', text: 'b' }), 400, 'text', null);
      await expectError(await post('/tokenize', { model: MODEL, content: 'a', add_special: 'yes' }), 400, 'add_special', 'invalid_value');
      await expectError(await post('/tokenize', { model: MODEL, content: 'a', with_pieces: 1 }), 400, 'with_pieces', 'invalid_value');
      await expectError(await post('/tokenize', { model: MODEL, content: 7 }), 400, 'content', 'invalid_value');
      await expectError(await post('/tokenize', { content: 'a' }), 400, 'model', 'invalid_value');
      await expectError(await post('/tokenize', { model: 'nope', content: 'a' }), 404, 'model', 'model_not_found');
    });

    it('needs the API key like /v1', async () => {
      for (const path of ['/tokenize', '/detokenize']) {
        const res = await post(path, { model: MODEL, content: 'a', tokens: [1] }, {});
        expect(res.status).toBe(401);
        expect((await res.json()).error.type).toBe('invalid_request_error');
      }
    });
  });

  describe('POST /v1/embeddings through the openai client', () => {
    it('returns the same float32 values as float, as base64 and as the SDK default (base64 decoded by the SDK)', async () => {
      const float = await openai.embeddings.create({ model: MODEL, input: GREETING, encoding_format: 'float' });
      expect(float.object).toBe('list');
      expect(float.model).toBe(MODEL);
      expect(float.data).toHaveLength(1);
      expect(float.data[0]).toMatchObject({ object: 'embedding', index: 0 });
      const vector = float.data[0].embedding;
      expect(vector).toHaveLength(DIMENSIONS);
      expect(vector.every((x) => Math.fround(x) === x)).toBe(true);
      expect(dot(vector, vector)).toBeCloseTo(1, 5);

      const base64 = await openai.embeddings.create({ model: MODEL, input: GREETING, encoding_format: 'base64' });
      expect(typeof base64.data[0].embedding).toBe('string');
      expect(decodeBase64(base64.data[0].embedding as unknown as string)).toEqual(vector);

      const sdkDefault = await openai.embeddings.create({ model: MODEL, input: GREETING });
      expect(sdkDefault.data[0].embedding).toEqual(vector);
      expect(sdkDefault.usage).toEqual(float.usage);
    });

    it('embeds a batch of strings like the same texts as token arrays; usage is the real token count', async () => {
      const texts = [GREETING, 'count to three', 'Hello', 'one two'];
      const tokenized = await Promise.all(texts.map((t) => tokenize(t, { add_special: true })));
      const byText = await openai.embeddings.create({ model: MODEL, input: texts, encoding_format: 'float' });
      const total = tokenized.reduce((sum, t) => sum + t.length, 0);
      expect(byText.usage).toEqual({ prompt_tokens: total, total_tokens: total });
      expect(byText.data.map((d) => d.index)).toEqual([0, 1, 2, 3]);
      // different texts, different directions
      expect(dot(byText.data[0].embedding, byText.data[1].embedding)).toBeLessThan(0.99);

      const byTokens = await openai.embeddings.create({ model: MODEL, input: tokenized, encoding_format: 'float' });
      expect(byTokens.data.map((d) => d.embedding)).toEqual(byText.data.map((d) => d.embedding));
      expect(byTokens.usage).toEqual(byText.usage);

      const single = await openai.embeddings.create({ model: MODEL, input: tokenized[1], encoding_format: 'float' });
      expect(single.data.map((d) => d.embedding)).toEqual([byText.data[1].embedding]);
      expect(single.usage.prompt_tokens).toBe(tokenized[1].length);
    });

    it('serves concurrent batches with the one embedding context, each getting its own answer', async () => {
      const inputs = ['Hello', 'count', 'one two', GREETING];
      const expected = await openai.embeddings.create({ model: MODEL, input: inputs, encoding_format: 'float' });
      const answers = await Promise.all(inputs.map((input) => openai.embeddings.create({ model: MODEL, input, encoding_format: 'float' })));
      expect(answers.map((a) => a.data[0].embedding)).toEqual(expected.data.map((d) => d.embedding));
    });

    it('accepts dimensions equal to the model size and user; refuses other dimensions naming them', async () => {
      const ok = await openai.embeddings.create({ model: MODEL, input: 'Hello', dimensions: DIMENSIONS, user: 'user-1234' });
      expect(ok.data[0].embedding).toHaveLength(DIMENSIONS);
      const error = await openai.embeddings.create({ model: MODEL, input: 'Hello', dimensions: 32 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ status: 400, param: 'dimensions', code: 'invalid_value' });
      expect((error as Error).message).toMatch(/64 dimensions/);
    });

    it('refuses a too-long input naming its index, before evaluating anything', async () => {
      const long = 'count '.repeat(5000);
      const error = await openai.embeddings.create({ model: MODEL, input: ['Hello', 'count', long] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ status: 400, param: 'input[2]', code: 'context_length_exceeded' });
      expect((error as Error).message).toMatch(/maximum input length is 4095 tokens.*input 2 has 5001 tokens/);
      const single = await openai.embeddings.create({ model: MODEL, input: long }).catch((e: unknown) => e);
      expect(single).toMatchObject({ status: 400, param: 'input', code: 'context_length_exceeded' });
    });

    it('refuses bad values of each parameter naming it', async () => {
      const embed = (body: Record<string, unknown>) => post('/v1/embeddings', { model: MODEL, input: 'Hello', ...body });
      await expectError(await embed({ input: '' }), 400, 'input', 'invalid_value');
      await expectError(await embed({ input: [] }), 400, 'input', 'invalid_value');
      await expectError(await embed({ input: ['a', 'b', ''] }), 400, 'input[2]', 'invalid_value');
      await expectError(await embed({ input: [[365], []] }), 400, 'input[1]', 'invalid_value');
      await expectError(await embed({ input: [[365], [365, 1e6]] }), 400, 'input[1][1]', 'invalid_value');
      await expectError(await embed({ input: [365, 'a'] }), 400, 'input[1]', 'invalid_value');
      await expectError(await embed({ encoding_format: 'binary' }), 400, 'encoding_format', 'invalid_value');
      await expectError(await embed({ dimensions: 0 }), 400, 'dimensions', 'invalid_value');
      await expectError(await embed({ dimensions: '64' }), 400, 'dimensions', 'invalid_value');
      await expectError(await embed({ user: ['u'] }), 400, 'user', 'invalid_value');
      await expectError(await embed({ model: 'nope' }), 404, 'model', 'model_not_found');
      const noKey = await post('/v1/embeddings', { model: MODEL, input: 'Hello' }, {});
      expect(noKey.status).toBe(401);
    });
  });

  describe('a model configured with embedding: true', () => {
    it('gives the same vectors as the generative model, within its own context, and refuses chat', async () => {
      const viaEmbedOnly = await openai.embeddings.create({ model: EMBED_ONLY, input: ['Hello', GREETING], encoding_format: 'float' });
      const viaChatModel = await openai.embeddings.create({ model: MODEL, input: ['Hello', GREETING], encoding_format: 'float' });
      expect(viaEmbedOnly.model).toBe(EMBED_ONLY);
      expect(viaEmbedOnly.data).toEqual(viaChatModel.data);

      const tooLong = await openai.embeddings.create({ model: EMBED_ONLY, input: ['Hello', 'count '.repeat(64)] }).catch((e: unknown) => e);
      expect(tooLong).toMatchObject({ status: 400, param: 'input[1]', code: 'context_length_exceeded' });

      const chat = await openai.chat.completions.create({ model: EMBED_ONLY, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
      expect(chat).toBeInstanceOf(OpenAI.BadRequestError);
      expect(chat).toMatchObject({ status: 400, param: 'model', code: 'model_not_supported' });
    });

    it('is listed with its capabilities next to the generative model', async () => {
      const models = await openai.models.list();
      const capabilities = Object.fromEntries(models.data.map((m) => [m.id, (m as unknown as { capabilities: string[] }).capabilities]));
      expect(capabilities).toEqual({ [MODEL]: ['chat', 'completions', 'tools', 'json_schema', 'embeddings'], [EMBED_ONLY]: ['embeddings'] });
    });
  });
});
