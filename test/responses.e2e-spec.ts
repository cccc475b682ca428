import Ajv from 'ajv';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { bearer, createKey, CreatedKey, ledgerRows } from './support/keys';
import { weatherParameters } from './support/schemas';
import { GREETING, TestServer } from './support/server';

const MODEL = 'llamanest-demo';
const ajv = new Ajv({ strict: false });

const tools: OpenAI.Responses.FunctionTool[] = [
  { type: 'function', name: 'get_weather', description: 'Weather forecast for a city', parameters: weatherParameters, strict: true },
  { type: 'function', name: 'get_time', description: 'Current time', parameters: null, strict: null },
];

/** The order of a message's events after response.in_progress. */
const MESSAGE_EVENTS = /^(response\.output_item\.added,response\.content_part\.added,(response\.output_text\.delta,)+response\.output_text\.done,response\.content_part\.done,response\.output_item\.done,)$/;

describe('POST /v1/responses (openai client, demo model)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'llamanest-responses-'));
  let server: TestServer;
  let alice: CreatedKey;
  let bob: CreatedKey;
  let openai: OpenAI;

  beforeAll(async () => {
    alice = await createKey(dataDir, 'alice');
    bob = await createKey(dataDir, 'bob');
    server = await TestServer.start({ dataDir });
    openai = server.client(alice.key);
  });
  afterAll(() => server.stop());

  it('answers a string input with a Response whose output_text is the greeting, and meters it', async () => {
    const response = await openai.responses.create({ model: MODEL, input: 'Hi', temperature: 0, instructions: 'Be brief.', metadata: { run: 'e2e' } });
    expect(response.output_text).toBe(GREETING);
    expect(response).toMatchObject({
      id: expect.stringMatching(/^resp_[0-9a-f]{48}$/),
      object: 'response',
      status: 'completed',
      model: MODEL,
      error: null,
      incomplete_details: null,
      instructions: 'Be brief.',
      metadata: { run: 'e2e' },
      store: true,
      temperature: 0,
      tool_choice: 'auto',
      tools: [],
      text: { format: { type: 'text' } },
      previous_response_id: null,
    });
    expect(response.completed_at).toBeGreaterThanOrEqual(response.created_at);
    expect(response.output).toEqual([
      {
        id: expect.stringMatching(/^msg_/),
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{ type: 'output_text', text: GREETING, annotations: [], logprobs: [] }],
      },
    ]);
    const usage = response.usage!;
    expect(usage.output_tokens).toBe(9);
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
    expect(usage.output_tokens_details.reasoning_tokens).toBe(0);

    const rows = await ledgerRows(dataDir, '--key', 'alice');
    expect(rows.at(-1)).toMatchObject({ endpoint: '/v1/responses', model: MODEL, status: 200, prompt_tokens: usage.input_tokens, completion_tokens: 9 });
  });

  it('takes message items with every role and text parts; instructions come first', async () => {
    const plain = await openai.responses.create({ model: MODEL, input: 'Hi', temperature: 0 });
    const items = await openai.responses.create({
      model: MODEL,
      temperature: 0,
      instructions: 'You are terse.',
      input: [
        { role: 'developer', content: 'Answer kindly.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi there.' }] } as OpenAI.Responses.ResponseInputItem,
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(items.output_text).toBe(GREETING);
    expect(items.usage!.input_tokens).toBeGreaterThan(plain.usage!.input_tokens + 8);
  });

  it('streams the typed events in order, numbered 0, 1, 2, ..., ending with response.completed', async () => {
    const stream = await openai.responses.create({ model: MODEL, input: 'Hi', temperature: 0, stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const types = events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(types.at(-1)).toBe('response.completed');
    expect(types.slice(2, -1).join(',') + ',').toMatch(MESSAGE_EVENTS);
    const deltas = events.filter((e): e is OpenAI.Responses.ResponseTextDeltaEvent => e.type === 'response.output_text.delta');
    expect(deltas.map((d) => d.delta).join('')).toBe(GREETING);
    const created = events[0] as OpenAI.Responses.ResponseCreatedEvent;
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(created.response).toMatchObject({ status: 'in_progress', output: [], usage: null });
    expect(completed.response.id).toBe(created.response.id);
    expect(completed.response.status).toBe('completed');
    expect(completed.response.usage!.output_tokens).toBe(9);
    const itemIds = new Set(events.filter((e) => 'item_id' in e).map((e) => (e as { item_id: string }).item_id));
    expect([...itemIds]).toEqual([completed.response.output[0].id]);

    // The SDK's stream helper accumulates the events into the same final response.
    const final = await openai.responses.stream({ model: MODEL, input: 'Hi', temperature: 0 }).finalResponse();
    expect(final.output_text).toBe(GREETING);
  });

  it('frames events as `event: <type>` + `data:` and ends without [DONE]', async () => {
    const res = await server.postJson('/v1/responses', { model: MODEL, input: 'Hi', temperature: 0, stream: true }, bearer(alice.key));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const raw = await res.text();
    expect(raw.endsWith('\n\n')).toBe(true);
    expect(raw).not.toContain('[DONE]');
    const blocks = raw.slice(0, -2).split('\n\n');
    for (const block of blocks) {
      const match = /^event: ([a-z_.]+)\ndata: (.*)$/.exec(block);
      expect(match).not.toBeNull();
      expect(JSON.parse(match![2]).type).toBe(match![1]);
    }
    expect(blocks.at(-1)).toMatch(/^event: response\.completed\n/);
  });

  it('stops at max_output_tokens with status incomplete (and response.incomplete when streaming)', async () => {
    const response = await openai.responses.create({ model: MODEL, input: 'count', temperature: 0, max_output_tokens: 16 });
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.usage!.output_tokens).toBe(16);
    expect(response.output_text).toMatch(/^One two three/);
    expect(response.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });

    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of await openai.responses.create({ model: MODEL, input: 'count', temperature: 0, max_output_tokens: 16, stream: true })) events.push(event);
    expect(events.at(-1)!.type).toBe('response.incomplete');
  });

  it('returns token logprobs with include message.output_text.logprobs', async () => {
    const response = await openai.responses.create({ model: MODEL, input: 'Hi', temperature: 0, include: ['message.output_text.logprobs'], top_logprobs: 2 });
    const content = (response.output[0] as OpenAI.Responses.ResponseOutputMessage).content[0] as OpenAI.Responses.ResponseOutputText;
    expect(content.logprobs).toHaveLength(9);
    expect(content.logprobs!.map((l) => l.token).join('')).toBe(GREETING);
    for (const entry of content.logprobs!) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.top_logprobs).toHaveLength(2);
    }
  });

  describe('function tools', () => {
    it('tool_choice required: a function_call item whose arguments parse and fit the schema', async () => {
      const response = await openai.responses.create({ model: MODEL, input: 'Weather in Paris?', tools, tool_choice: 'required', temperature: 0 });
      expect(response.status).toBe('completed');
      expect(response.output).toHaveLength(1);
      const call = response.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
      expect(call).toMatchObject({ type: 'function_call', status: 'completed', id: expect.stringMatching(/^fc_/), call_id: expect.stringMatching(/^call_/) });
      expect(['get_weather', 'get_time']).toContain(call.name);
      const args = JSON.parse(call.arguments);
      if (call.name === 'get_weather') expect(ajv.validate(weatherParameters, args)).toBe(true);
      expect(response.output_text).toBe('');
    });

    it('named tool_choice forces that function, under sampling too; streamed as function-call events', async () => {
      for (const seed of [1, 2, 3]) {
        const response = await openai.responses.create({
          model: MODEL,
          input: 'Hi',
          tools,
          tool_choice: { type: 'function', name: 'get_weather' },
          temperature: 1.5,
          top_p: 0.95,
          metadata: { seed: String(seed) },
        });
        const call = response.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
        expect(call.name).toBe('get_weather');
        expect(ajv.validate(weatherParameters, JSON.parse(call.arguments))).toBe(true);
      }

      const events: OpenAI.Responses.ResponseStreamEvent[] = [];
      const stream = await openai.responses.create({ model: MODEL, input: 'Hi', tools, tool_choice: { type: 'function', name: 'get_weather' }, stream: true });
      for await (const event of stream) events.push(event);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      const types = events.map((e) => e.type).join(',');
      expect(types).toMatch(
        /^response\.created,response\.in_progress,response\.output_item\.added,(response\.function_call_arguments\.delta,)+response\.function_call_arguments\.done,response\.output_item\.done,response\.completed$/,
      );
      const done = events.find((e) => e.type === 'response.function_call_arguments.done') as OpenAI.Responses.ResponseFunctionCallArgumentsDoneEvent;
      const deltas = events.filter((e) => e.type === 'response.function_call_arguments.delta') as OpenAI.Responses.ResponseFunctionCallArgumentsDeltaEvent[];
      expect(deltas.map((d) => d.delta).join('')).toBe(done.arguments);
      expect(ajv.validate(weatherParameters, JSON.parse(done.arguments))).toBe(true);
      const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
      expect(completed.response.output[0]).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: done.arguments, id: done.item_id });
    });

    it('takes the call and its function_call_output back as input items for the next turn', async () => {
      const first = await openai.responses.create({ model: MODEL, input: 'Weather?', tools, tool_choice: { type: 'function', name: 'get_time' }, store: false });
      const call = first.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
      expect(call.arguments).toBe('{}');
      const answer = await openai.responses.create({
        model: MODEL,
        tools,
        temperature: 0,
        input: [
          { role: 'user', content: 'Weather?' },
          call,
          { type: 'function_call_output', call_id: call.call_id, output: '{"time":"12:00"}' },
        ],
      });
      expect(answer.status).toBe('completed');
      expect(answer.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens);

      const orphan = await server.postJson(
        '/v1/responses',
        { model: MODEL, input: [{ type: 'function_call_output', call_id: 'call_nope', output: 'x' }] },
        bearer(alice.key),
      );
      expect(orphan.status).toBe(400);
      expect((await orphan.json()).error.param).toBe('input[0].call_id');
    });
  });

  it('text.format json_schema: the output parses and fits the schema, streamed or not', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string', minLength: 2 }, age: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' }, minItems: 1 } },
      required: ['name', 'age', 'tags'],
      additionalProperties: false,
    };
    const text = { format: { type: 'json_schema' as const, name: 'person', schema, strict: true } };
    const response = await openai.responses.create({ model: MODEL, input: 'Hi', temperature: 0, text });
    expect(ajv.validate(schema, JSON.parse(response.output_text))).toBe(true);
    expect(response.text!.format).toMatchObject({ type: 'json_schema', name: 'person' });

    const final = await openai.responses.stream({ model: MODEL, input: 'Hi', temperature: 0, text }).finalResponse();
    expect(final.output_text).toBe(response.output_text);
  });

  describe('stored responses', () => {
    it('previous_response_id continues the conversation: its items come first, and their tokens are cached', async () => {
      // The demo model counts whenever the conversation contains "count": only the stored history says so.
      const alone = await openai.responses.create({ model: MODEL, input: 'Go on', temperature: 0, max_output_tokens: 16, store: false });
      expect(alone.output_text).toBe(GREETING);
      const first = await openai.responses.create({ model: MODEL, input: 'count', temperature: 0, max_output_tokens: 16 });
      const second = await openai.responses.create({ model: MODEL, input: 'Go on', temperature: 0, max_output_tokens: 16, previous_response_id: first.id });
      expect(second.previous_response_id).toBe(first.id);
      expect(second.output_text).toMatch(/^One two three/);
      expect(second.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens + first.usage!.output_tokens);
      expect(second.usage!.input_tokens_details.cached_tokens).toBeGreaterThanOrEqual(first.usage!.input_tokens);

      // Chains: the third turn sees both earlier ones.
      const third = await openai.responses.create({ model: MODEL, input: 'And?', temperature: 0, max_output_tokens: 16, previous_response_id: second.id, stream: true });
      let completed: OpenAI.Responses.Response | undefined;
      for await (const event of third) if (event.type === 'response.incomplete') completed = event.response;
      expect(completed!.usage!.input_tokens).toBeGreaterThan(second.usage!.input_tokens + second.usage!.output_tokens);
    });

    it('GET returns a stored response; DELETE removes it; other keys never see it', async () => {
      const created = await openai.responses.create({ model: MODEL, input: 'Hi', temperature: 0 });
      const fetched = await openai.responses.retrieve(created.id);
      expect(fetched.id).toBe(created.id);
      expect(fetched.output_text).toBe(GREETING);
      expect(fetched.usage).toEqual(created.usage);

      const bobClient = server.client(bob.key);
      await expect(bobClient.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
      await expect(bobClient.responses.create({ model: MODEL, input: 'Hi', previous_response_id: created.id })).rejects.toMatchObject({
        status: 400,
        error: { param: 'previous_response_id' },
      });
      await expect(bobClient.responses.delete(created.id)).rejects.toMatchObject({ status: 404 });

      await openai.responses.delete(created.id);
      await expect(openai.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404, error: { code: 'response_not_found' } });
    });

    it('store: false responses are not kept', async () => {
      const response = await openai.responses.create({ model: MODEL, input: 'Hi', temperature: 0, store: false });
      expect(response.store).toBe(false);
      await expect(openai.responses.retrieve(response.id)).rejects.toMatchObject({ status: 404 });
      await expect(openai.responses.create({ model: MODEL, input: 'Hi', previous_response_id: response.id })).rejects.toMatchObject({
        status: 400,
        error: { param: 'previous_response_id', code: 'previous_response_not_found' },
      });
    });
  });

  it('needs the inference scope', async () => {
    const embedder = await createKey(dataDir, 'embedder', '--scopes', 'embeddings');
    const res = await server.postJson('/v1/responses', { model: MODEL, input: 'Hi' }, bearer(embedder.key));
    expect(res.status).toBe(403);
    expect((await server.fetch('/v1/responses', { method: 'POST' })).status).toBe(401);
  });

  describe('bad values are a 400 naming the parameter', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['no input', { input: undefined }, 'input'],
      ['input not a string or array', { input: 5 }, 'input'],
      ['empty input array', { input: [] }, 'input'],
      ['unknown role', { input: [{ role: 'robot', content: 'x' }] }, 'input[0].role'],
      ['an item type llamanest cannot use', { input: [{ type: 'reasoning', summary: [] }] }, 'input[0].type'],
      ['an image part', { input: [{ role: 'user', content: [{ type: 'input_text', text: 'see' }, { type: 'input_image', image_url: 'https://x/y.png' }] }] }, 'input[0].content[1].type'],
      ['a function call without arguments', { input: [{ type: 'function_call', call_id: 'c', name: 'f' }] }, 'input[0].arguments'],
      ['instructions not a string', { instructions: 5 }, 'instructions'],
      ['max_output_tokens below 16', { max_output_tokens: 8 }, 'max_output_tokens'],
      ['temperature above 2', { temperature: 3 }, 'temperature'],
      ['top_p above 1', { top_p: 1.5 }, 'top_p'],
      ['a built-in tool', { tools: [{ type: 'web_search' }] }, 'tools[0].type'],
      ['an unenforceable parameters schema', { tools: [{ type: 'function', name: 'f', parameters: { type: 'object', properties: { a: { type: 'integer', minimum: 1 } } } }] }, 'tools[0].parameters.properties.a.minimum'],
      ['duplicate function names', { tools: [tools[1], tools[1]] }, 'tools'],
      ['tool_choice of an unknown mode', { tools, tool_choice: 'sometimes' }, 'tool_choice'],
      ['tool_choice naming a function not in tools', { tools, tool_choice: { type: 'function', name: 'nope' } }, 'tool_choice'],
      ['tool_choice of a hosted tool', { tools, tool_choice: { type: 'file_search' } }, 'tool_choice'],
      ['tool_choice without tools', { tool_choice: 'required' }, 'tool_choice'],
      ['json_schema format without a schema', { text: { format: { type: 'json_schema', name: 'x' } } }, 'text.format.schema'],
      ['unknown format type', { text: { format: { type: 'yaml' } } }, 'text.format.type'],
      ['an unenforceable format schema', { text: { format: { type: 'json_schema', name: 'x', schema: { type: 'string', pattern: '^a' } } } }, 'text.format.schema.pattern'],
      ['verbosity', { text: { verbosity: 'low' } }, 'text.verbosity'],
      ['stream not a boolean', { stream: 'yes' }, 'stream'],
      ['stream_options without stream', { stream_options: { include_obfuscation: false } }, 'stream_options'],
      ['store not a boolean', { store: 'no' }, 'store'],
      ['unknown previous_response_id', { previous_response_id: 'resp_nope' }, 'previous_response_id'],
      ['background', { background: true }, 'background'],
      ['conversation', { conversation: 'conv_1' }, 'conversation'],
      ['include of something llamanest cannot produce', { include: ['file_search_call.results'] }, 'include'],
      ['top_logprobs without include', { top_logprobs: 3 }, 'top_logprobs'],
      ['reasoning effort', { reasoning: { effort: 'high' } }, 'reasoning.effort'],
      ['truncation auto', { truncation: 'auto' }, 'truncation'],
      ['too much metadata', { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata'],
    ];
    it.each(cases)('%s', async (_name, fields, param) => {
      const res = await server.postJson('/v1/responses', { model: MODEL, input: 'Hi', ...fields }, bearer(alice.key));
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error).toMatchObject({ type: 'invalid_request_error', param });
    });

    it('an unknown model is a 404 naming model; unknown fields are ignored', async () => {
      const res = await server.postJson('/v1/responses', { model: 'nope', input: 'Hi' }, bearer(alice.key));
      expect(res.status).toBe(404);
      expect((await res.json()).error).toMatchObject({ param: 'model', code: 'model_not_found' });
      const ok = await openai.responses.create({ model: MODEL, input: 'Hi', temperature: 0, some_future_field: 1 } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
      expect(ok.output_text).toBe(GREETING);
    });
  });
});
