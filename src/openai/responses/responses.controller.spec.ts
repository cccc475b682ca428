import OpenAI from 'openai';
import { FAKE_MODEL_ID, FakeServer, T } from '../../../test/support/fake-engine';

const GENERIC_500 = 'The server had an error while processing your request. Sorry about that!';

describe('POST /v1/responses (wire layer over a fake engine)', () => {
  let server: FakeServer;

  beforeAll(async () => {
    server = await FakeServer.start();
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(() => {
    server.backend.model.script = [T.HELLO, T.WORLD, T.BANG, T.EOG];
  });

  const create = (body: Record<string, unknown>) => server.post('/v1/responses', { model: FAKE_MODEL_ID, input: 'Hi', ...body });

  /** The typed events of a raw stream, checking the `event:` name matches each payload's type. */
  async function typedEvents(res: Response): Promise<{ raw: string; events: Record<string, unknown>[] }> {
    const raw = await res.text();
    const events = raw
      .split('\n\n')
      .filter((block) => block !== '')
      .map((block) => {
        const [eventLine, dataLine] = block.split('\n');
        const event = JSON.parse(dataLine.slice('data: '.length)) as Record<string, unknown>;
        expect(eventLine).toBe(`event: ${String(event.type)}`);
        return event;
      });
    return { raw, events };
  }

  it('ends a stream that fails midway with response.failed and an error event, numbered on, leaking nothing, storing nothing', async () => {
    server.backend.model.script = [T.HELLO, new Error('secret internals at /Users/alice/model.gguf')];
    const { raw, events } = await typedEvents(await create({ stream: true }));
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.failed',
      'error',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const failed = events[5].response as { id: string; status: string; error: unknown };
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({ code: 'server_error', message: GENERIC_500 });
    expect(events[6]).toMatchObject({ code: null, message: GENERIC_500, param: null, error: { type: 'server_error', message: GENERIC_500 } });
    expect(raw).not.toMatch(/secret|alice|stack|\bat |\[DONE\]/);
    expect((await server.fetch(`/v1/responses/${failed.id}`)).status).toBe(404);
  });

  it('makes the openai client raise the stream error as an APIError', async () => {
    server.backend.model.script = [T.HELLO, new Error('boom')];
    const client = new OpenAI({ baseURL: `${server.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
    const seen: string[] = [];
    const consume = async () => {
      for await (const event of await client.responses.create({ model: FAKE_MODEL_ID, input: 'Hi', stream: true })) seen.push(event.type);
    };
    await expect(consume()).rejects.toMatchObject({ message: expect.stringContaining(GENERIC_500) });
    expect(seen.at(-1)).toBe('response.failed');
  });

  it('answers without streaming with a plain 500 when the engine fails', async () => {
    server.backend.model.script = [new Error('boom')];
    const res = await create({});
    expect(res.status).toBe(500);
    expect((await res.json()).error.message).toBe(GENERIC_500);
  });

  it('joins the text of every event into the final output', async () => {
    const res = await create({});
    const body = await res.json();
    expect(body.output[0].content[0].text).toBe('Hello world!');
    expect(body.status).toBe('completed');
    expect(body.usage).toEqual({
      input_tokens: 3,
      input_tokens_details: { cached_tokens: 1, cache_write_tokens: 0 },
      output_tokens: 3,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 6,
    });
  });
});
