import { FAKE_MODEL_ID, FakeServer, T } from '../../../test/support/fake-engine';
import { readSse } from '../../../test/support/server';

const USER_HI = [{ role: 'user', content: 'Hi' }];
const GENERIC_500 = 'The server had an error while processing your request. Sorry about that!';

describe('POST /v1/chat/completions (wire layer over a fake engine)', () => {
  let server: FakeServer;

  beforeAll(async () => {
    server = await FakeServer.start();
  });

  afterAll(async () => {
    await server.close();
  });

  beforeEach(() => {
    const model = server.backend.model;
    model.script = [T.HELLO, T.WORLD, T.BANG, T.EOG];
    model.reusedTokens = 1;
    model.renderError = undefined;
    model.generateCalls.length = 0;
  });

  const chat = (body: Record<string, unknown>, headers?: Record<string, string>) =>
    server.post('/v1/chat/completions', { model: FAKE_MODEL_ID, messages: USER_HI, ...body }, headers);

  async function expectError(res: Response, status: number, error: { message?: unknown; type: string; param: string | null; code: string | null }) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toEqual({ message: expect.any(String), ...error });
    return body.error;
  }

  describe('without streaming', () => {
    it('returns a ChatCompletion of exactly the OpenAI shape', async () => {
      const res = await chat({ temperature: 0 });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = await res.json();
      expect(body).toEqual({
        id: expect.stringMatching(/^chatcmpl-[A-Za-z0-9_-]{24}$/),
        object: 'chat.completion',
        created: expect.any(Number),
        model: FAKE_MODEL_ID,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Hello world!', refusal: null, annotations: [] },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: {
          prompt_tokens: 3,
          completion_tokens: 3,
          total_tokens: 6,
          prompt_tokens_details: { cached_tokens: 1 },
          completion_tokens_details: { reasoning_tokens: 0 },
        },
      });
      expect(Math.abs(body.created - Date.now() / 1000)).toBeLessThan(3600);
    });

    it('answers an alias with the canonical model id', async () => {
      const body = await (await chat({ model: 'fake-alias' })).json();
      expect(body.model).toBe(FAKE_MODEL_ID);
    });

    it('passes the sampling parameters to the engine in its own terms', async () => {
      await chat({ temperature: 0.5, top_p: 0.9, top_k: 20, min_p: 0.05, seed: 7, presence_penalty: 0.5, frequency_penalty: -0.5 });
      expect(server.backend.model.generateCalls).toEqual([
        {
          prompt: [100, 101, 102],
          sampling: { temperature: 0.5, topP: 0.9, topK: 20, minP: 0.05, seed: 7, presencePenalty: 0.5, frequencyPenalty: -0.5 },
        },
      ]);
    });

    it('stops at max_tokens with finish_reason length', async () => {
      const body = await (await chat({ max_tokens: 2 })).json();
      expect(body.choices[0]).toMatchObject({ message: { content: 'Hello world' }, finish_reason: 'length' });
      expect(body.usage).toMatchObject({ completion_tokens: 2, total_tokens: 5 });
    });

    it('cuts at a stop sequence with finish_reason stop', async () => {
      const body = await (await chat({ stop: [' wor', 'xyz'] })).json();
      expect(body.choices[0]).toMatchObject({ message: { content: 'Hello' }, finish_reason: 'stop' });
    });

    it('returns n choices and counts the tokens of all of them', async () => {
      const body = await (await chat({ n: 2 })).json();
      expect(body.choices.map((c: { index: number; message: { content: string } }) => [c.index, c.message.content])).toEqual([
        [0, 'Hello world!'],
        [1, 'Hello world!'],
      ]);
      expect(body.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 6, total_tokens: 9 });
    });

    it('ignores unknown fields, at the top level and inside messages', async () => {
      const res = await chat({ messages: [{ role: 'user', content: 'Hi', mood: 'happy' }], not_an_openai_field: { a: 1 } });
      expect(res.status).toBe(200);
      expect((await res.json()).choices[0].message.content).toBe('Hello world!');
    });

    it.each([
      ['logprobs', { logprobs: false }],
      ['response_format', { response_format: { type: 'text' } }],
      ['tool_choice', { tool_choice: 'none' }],
      ['store', { store: false }],
      ['parallel_tool_calls', { parallel_tool_calls: true }],
      ['logprobs', { logprobs: null, tools: null }],
    ])('accepts a harmless %s value it cannot otherwise honour', async (_param, body) => {
      const res = await chat(body);
      expect(await res.json()).toMatchObject({ object: 'chat.completion' });
      expect(res.status).toBe(200);
    });
  });

  describe('with stream: true', () => {
    it('sends role, text, finish and usage chunks framed as SSE, then [DONE]', async () => {
      const res = await chat({ stream: true, stream_options: { include_usage: true } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(res.headers.get('x-accel-buffering')).toBe('no');
      expect(res.headers.get('cache-control')).toBe('no-cache, no-transform');

      const { raw, events } = await readSse(res);
      expect(raw.endsWith('\n\ndata: [DONE]\n\n')).toBe(true);
      expect(events.pop()).toBe('[DONE]');
      const chunks = events.map((e) => JSON.parse(e));
      const id = chunks[0].id;
      expect(id).toMatch(/^chatcmpl-/);
      for (const chunk of chunks) {
        expect(chunk).toMatchObject({ id, object: 'chat.completion.chunk', created: expect.any(Number), model: FAKE_MODEL_ID });
      }
      const choice = (delta: object, finish_reason: string | null = null) => [{ index: 0, delta, logprobs: null, finish_reason }];
      expect(chunks.map(({ choices, usage }) => ({ choices, usage }))).toEqual([
        { choices: choice({ role: 'assistant', content: '', refusal: null }), usage: null },
        { choices: choice({ content: 'Hello' }), usage: null },
        { choices: choice({ content: ' world' }), usage: null },
        { choices: choice({ content: '!' }), usage: null },
        { choices: choice({}, 'stop'), usage: null },
        {
          choices: [],
          usage: {
            prompt_tokens: 3,
            completion_tokens: 3,
            total_tokens: 6,
            prompt_tokens_details: { cached_tokens: 1 },
            completion_tokens_details: { reasoning_tokens: 0 },
          },
        },
      ]);
    });

    it('sends no usage field and no usage chunk without stream_options.include_usage', async () => {
      const { events } = await readSse(await chat({ stream: true }));
      expect(events.pop()).toBe('[DONE]');
      const chunks = events.map((e) => JSON.parse(e));
      expect(chunks).toHaveLength(5);
      expect(chunks.every((c) => !('usage' in c) && c.choices.length === 1)).toBe(true);
      expect(chunks[4].choices[0].finish_reason).toBe('stop');
    });

    it('starts each of n choices with its own role chunk', async () => {
      const { events } = await readSse(await chat({ stream: true, n: 2, max_tokens: 1 }));
      const choices = events.slice(0, -1).map((e) => JSON.parse(e).choices[0]);
      expect(choices.map((c) => [c.index, c.delta, c.finish_reason])).toEqual([
        [0, { role: 'assistant', content: '', refusal: null }, null],
        [0, { content: 'Hello' }, null],
        [0, {}, 'length'],
        [1, { role: 'assistant', content: '', refusal: null }, null],
        [1, { content: 'Hello' }, null],
        [1, {}, 'length'],
      ]);
    });

    it('turns an engine error mid-stream into an SSE error event and [DONE], leaking nothing', async () => {
      server.backend.model.script = [T.HELLO, new Error('secret internals at /Users/alice/model.gguf')];
      const { raw, events } = await readSse(await chat({ stream: true }));
      expect(events.slice(-2)).toEqual([
        JSON.stringify({ error: { message: GENERIC_500, type: 'server_error', param: null, code: null } }),
        '[DONE]',
      ]);
      expect(JSON.parse(events[1]).choices[0].delta).toEqual({ content: 'Hello' });
      expect(raw).not.toMatch(/secret|alice|stack|\bat /);
    });

    it('frees the sequence after a failed stream (the next request is served, not queued or refused)', async () => {
      server.backend.model.script = [new Error('boom')];
      await readSse(await chat({ stream: true }));
      server.backend.model.script = [T.BANG, T.EOG];
      const res = await chat({});
      expect(res.status).toBe(200);
      expect((await res.json()).choices[0].message.content).toBe('!');
    });
  });

  describe('errors before any output', () => {
    it('answers an unexpected engine error with a generic 500 envelope', async () => {
      server.backend.model.renderError = new Error('secret internals at /Users/alice/model.gguf');
      for (const stream of [false, true]) {
        const res = await chat({ stream });
        const text = await res.clone().text();
        await expectError(res, 500, { message: GENERIC_500, type: 'server_error', param: null, code: null });
        expect(text).not.toMatch(/secret|alice/);
      }
    });

    it('answers an unknown model with 404 model_not_found', async () => {
      await expectError(await chat({ model: 'gpt-5' }), 404, {
        message: "The model 'gpt-5' does not exist or you do not have access to it.",
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      });
    });

    it('answers a prompt plus max_tokens beyond the context with 400 context_length_exceeded', async () => {
      await expectError(await chat({ max_tokens: 62 }), 400, {
        message: expect.stringContaining("maximum context length is 64 tokens. However, you requested 65 tokens (3 in the messages, 62 in the completion)"),
        type: 'invalid_request_error',
        param: 'messages',
        code: 'context_length_exceeded',
      });
      expect((await chat({ max_tokens: 61 })).status).toBe(200);
    });

    it('answers 503 server_overloaded with Retry-After while the only sequence is busy and the queue is full', async () => {
      let finish!: () => void;
      server.backend.model.script = [T.HELLO, new Promise<void>((resolve) => (finish = resolve)), T.EOG];
      const busy = await chat({ stream: true }); // headers arrive once the sequence is leased
      expect(busy.status).toBe(200);

      const refused = await chat({});
      expect(refused.headers.get('retry-after')).toBe('1');
      await expectError(refused, 503, { type: 'server_error', param: null, code: 'server_overloaded' });

      finish();
      expect((await readSse(busy)).events.at(-1)).toBe('[DONE]');
    });

    it('answers unparsable JSON with a 400 envelope', async () => {
      const res = await server.fetch('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' });
      await expectError(res, 400, { type: 'invalid_request_error', param: null, code: null });
    });
  });

  describe('validation', () => {
    it.each([
      ['a missing model', { model: undefined }, 'model'],
      ['missing messages', { messages: undefined }, 'messages'],
      ['empty messages', { messages: [] }, 'messages'],
      ['an unknown role', { messages: [{ role: 'robot', content: 'Hi' }] }, 'messages[0].role'],
      ['content of the wrong type', { messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 42 }] }, 'messages[1].content'],
      ['an image content part', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, 'messages[0].content'],
      ['a tool message without tool_call_id', { messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
      ['temperature above 2', { temperature: 2.5 }, 'temperature'],
      ['a string temperature', { temperature: 'hot' }, 'temperature'],
      ['top_p above 1', { top_p: 1.5 }, 'top_p'],
      ['max_tokens 0', { max_tokens: 0 }, 'max_tokens'],
      ['n 0', { n: 0 }, 'n'],
      ['n 17', { n: 17 }, 'n'],
      ['a numeric stop', { stop: 5 }, 'stop'],
      ['an empty stop string in a list', { stop: ['a', ''] }, 'stop'],
      ['17 stop strings', { stop: Array.from({ length: 17 }, (_, i) => `s${i}`) }, 'stop'],
      ['a string stream', { stream: 'yes' }, 'stream'],
      ['a non-boolean include_usage', { stream: true, stream_options: { include_usage: 'yes' } }, 'stream_options.include_usage'],
    ])('rejects %s with 400 naming %p', async (_case, body, param) => {
      await expectError(await chat(body), 400, { type: 'invalid_request_error', param: param as string, code: 'invalid_value' });
    });

    it('explains a bad role in OpenAI terms', async () => {
      const error = await expectError(await chat({ messages: [{ role: 'robot', content: 'Hi' }] }), 400, {
        type: 'invalid_request_error',
        param: 'messages[0].role',
        code: 'invalid_value',
      });
      expect(error.message).toBe("'role' must be one of system, developer, user, assistant, tool.");
    });

    it.each([
      ['functions', { functions: [{ name: 'f' }] }],
      ['prediction', { prediction: { type: 'content', content: 'x' } }],
      ['audio', { audio: { voice: 'alloy', format: 'mp3' } }],
      ['store', { store: true }],
      ['modalities', { modalities: ['text', 'audio'] }],
      ['web_search_options', { web_search_options: {} }],
    ])('rejects an unsupported %s value with 400 unsupported_parameter', async (param, body) => {
      const error = await expectError(await chat(body), 400, { type: 'invalid_request_error', param, code: 'unsupported_parameter' });
      expect(error.message).toMatch(new RegExp(`^'${param}' (is|are) `));
    });

    it.each([
      ['a bad response_format type', { response_format: { type: 'xml' } }, 'response_format.type', 'invalid_value'],
      ['json_schema without its object', { response_format: { type: 'json_schema' } }, 'response_format.json_schema', 'invalid_value'],
      ['a bad json_schema name', { response_format: { type: 'json_schema', json_schema: { name: 'has space', schema: { type: 'object' } } } }, 'response_format.json_schema.name', 'invalid_value'],
      [
        'an unenforceable schema keyword',
        { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', properties: { s: { type: 'string', pattern: 'a+' } } } } } },
        'response_format.json_schema.schema.properties.s.pattern',
        'unsupported_schema',
      ],
      ['a non-function tool', { tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0].type', 'invalid_value'],
      ['a bad function name', { tools: [{ type: 'function', function: { name: 'no spaces allowed' } }] }, 'tools[0].function.name', 'invalid_value'],
      [
        'unenforceable tool parameters',
        { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { n: { type: 'number', minimum: 0 } } } } }] },
        'tools[0].function.parameters.properties.n.minimum',
        'unsupported_schema',
      ],
      ['a bad tool_choice', { tool_choice: 'sometimes' }, 'tool_choice', 'invalid_value'],
      ['tool_choice without tools', { tool_choice: 'required' }, 'tool_choice', null],
      [
        'tool_choice naming an unknown function',
        { tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'function', function: { name: 'g' } } },
        'tool_choice',
        null,
      ],
      ['a non-boolean parallel_tool_calls', { parallel_tool_calls: 'yes' }, 'parallel_tool_calls', 'invalid_value'],
      ['a non-boolean logprobs', { logprobs: 'yes' }, 'logprobs', 'invalid_value'],
      ['top_logprobs above 20', { logprobs: true, top_logprobs: 21 }, 'top_logprobs', 'invalid_value'],
      ['top_logprobs without logprobs', { top_logprobs: 2 }, 'top_logprobs', null],
      ['a logit_bias above 100', { logit_bias: { '1': 101 } }, 'logit_bias', 'invalid_value'],
      ['a logit_bias key that is not a token id', { logit_bias: { hello: 1 } }, 'logit_bias', 'invalid_value'],
      ['a logit_bias token outside the vocabulary', { logit_bias: { '1000': 1 } }, 'logit_bias', null],
    ])('rejects %s with 400 naming its parameter', async (_case, body, param, code) => {
      await expectError(await chat(body), 400, { type: 'invalid_request_error', param: param as string, code: code as string | null });
    });

    it('rejects a tool message that answers no preceding assistant tool call', async () => {
      const messages = [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: 'rainy' },
      ];
      await expectError(await chat({ messages }), 400, {
        message: "Messages with role 'tool' must answer a preceding assistant message with 'tool_calls' of the same id.",
        type: 'invalid_request_error',
        param: 'messages[3].tool_call_id',
        code: null,
      });
      expect((await chat({ messages: messages.slice(0, 3) })).status).toBe(200);
    });

    it('rejects stream_options without stream', async () => {
      await expectError(await chat({ stream_options: { include_usage: true } }), 400, {
        message: "'stream_options' is only allowed when 'stream' is true.",
        type: 'invalid_request_error',
        param: 'stream_options',
        code: null,
      });
    });

    it('does not reach the engine for an invalid request', async () => {
      await chat({ temperature: 9 });
      await chat({ tools: [{ type: 'function' }] });
      expect(server.backend.model.generateCalls).toHaveLength(0);
    });
  });
});
