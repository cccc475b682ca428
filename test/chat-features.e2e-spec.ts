import Ajv from 'ajv';
import OpenAI from 'openai';
import { demoTokenId } from '../src/demo-model/demo-model';
import { weatherParameters } from './support/schemas';
import { GREETING, TestServer } from './support/server';

const MODEL = 'llamanest-demo';
const hi: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];
const ajv = new Ajv({ strict: false });

const tools: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather forecast for a city', parameters: weatherParameters } },
  { type: 'function', function: { name: 'get_time', description: 'Current time' } },
];

describe('chat completions: structured output, tools, logprobs, logit_bias (openai client)', () => {
  let server: TestServer;
  let openai: OpenAI;

  beforeAll(async () => {
    server = await TestServer.start();
    openai = server.client();
  });
  afterAll(() => server.stop());

  describe('response_format', () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string', minLength: 2 },
        age: { type: 'integer' },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
        kind: { anyOf: [{ type: 'string', enum: ['cat', 'dog'] }, { type: 'null' }] },
      },
      required: ['name', 'age', 'tags', 'kind'],
      additionalProperties: false,
    };

    it('json_schema: the content always parses and fits the schema, streaming or not', async () => {
      const response_format = { type: 'json_schema' as const, json_schema: { name: 'pet', schema, strict: true } };
      const completion = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 0, response_format });
      const content = completion.choices[0].message.content!;
      expect(ajv.validate(schema, JSON.parse(content))).toBe(true);
      expect(completion.choices[0].finish_reason).toBe('stop');

      const stream = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 0, response_format, stream: true });
      let streamed = '';
      for await (const chunk of stream) streamed += chunk.choices[0]?.delta.content ?? '';
      expect(streamed).toBe(content);
    });

    it('json_schema holds under sampling too', async () => {
      const completion = await openai.chat.completions.create({
        model: MODEL,
        messages: hi,
        temperature: 1.5,
        seed: 3,
        n: 4,
        response_format: { type: 'json_schema', json_schema: { name: 'pet', schema } },
      });
      for (const choice of completion.choices) expect(ajv.validate(schema, JSON.parse(choice.message.content!))).toBe(true);
    });

    it('json_object: the content is a JSON object', async () => {
      const completion = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 0, response_format: { type: 'json_object' } });
      const parsed = JSON.parse(completion.choices[0].message.content!);
      expect(typeof parsed).toBe('object');
      expect(Array.isArray(parsed)).toBe(false);
    });

    it('refuses a schema the grammar cannot enforce, naming the keyword', async () => {
      await expect(
        openai.chat.completions.create({
          model: MODEL,
          messages: hi,
          response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', properties: { zip: { type: 'string', pattern: '^[0-9]{5}$' } } } } },
        }),
      ).rejects.toMatchObject({
        constructor: OpenAI.BadRequestError,
        param: 'response_format.json_schema.schema.properties.zip.pattern',
        code: 'unsupported_schema',
      });
    });
  });

  describe('tools', () => {
    it('tool_choice required: a call whose arguments parse and fit the parameters schema', async () => {
      const completion = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 0, tools, tool_choice: 'required' });
      const { message, finish_reason } = completion.choices[0];
      expect(finish_reason).toBe('tool_calls');
      expect(message.content).toBeNull();
      expect(message.tool_calls).toHaveLength(1);
      const call = message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(call.id).toMatch(/^call_/);
      expect(call.type).toBe('function');
      expect(['get_weather', 'get_time']).toContain(call.function.name);
      const args = JSON.parse(call.function.arguments);
      if (call.function.name === 'get_weather') expect(ajv.validate(weatherParameters, args)).toBe(true);
      else expect(args).toEqual({});
    });

    it('a named tool_choice forces that function, with valid arguments', async () => {
      const completion = await openai.chat.completions.create({
        model: MODEL,
        messages: hi,
        temperature: 0,
        tools,
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      });
      const call = completion.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      expect(call.function.name).toBe('get_weather');
      expect(ajv.validate(weatherParameters, JSON.parse(call.function.arguments))).toBe(true);
      expect(call.function.arguments).toBe(call.function.arguments.trim());
      expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
    });

    it('streams tool-call deltas as OpenAI does, reassembling to the same call', async () => {
      const request = {
        model: MODEL,
        messages: hi,
        temperature: 0,
        tools,
        tool_choice: { type: 'function' as const, function: { name: 'get_weather' } },
      };
      const whole = (await openai.chat.completions.create(request)).choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      const stream = await openai.chat.completions.create({ ...request, stream: true });
      const deltas: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
      let finish: string | null = null;
      for await (const chunk of stream) {
        deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(finish).toBe('tool_calls');
      expect(deltas[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'get_weather', arguments: '' } });
      expect(deltas.slice(1).every((d) => d.index === 0 && d.id === undefined && d.function?.name === undefined)).toBe(true);
      expect(deltas.length).toBeGreaterThan(2);
      expect(deltas.map((d) => d.function?.arguments ?? '').join('')).toBe(whole.function.arguments);
    });

    it('tool_choice none and auto answer in text when the model does not call', async () => {
      for (const tool_choice of ['none', 'auto'] as const) {
        const completion = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 0, tools, tool_choice, parallel_tool_calls: false });
        expect(completion.choices[0].message.content).toBe(GREETING);
        expect(completion.choices[0].message.tool_calls).toBeUndefined();
        expect(completion.choices[0].finish_reason).toBe('stop');
      }
    });

    it('renders a tool-call turn and its result for the next turn', async () => {
      const first = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 0, tools, tool_choice: 'required' });
      const call = first.choices[0].message.tool_calls![0];
      const next = await openai.chat.completions.create({
        model: MODEL,
        temperature: 0,
        tools,
        messages: [...hi, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"temperature": 21}' }],
      });
      expect(next.choices[0].message.content).toBe(GREETING);
      expect(next.usage!.prompt_tokens).toBeGreaterThan(first.usage!.prompt_tokens);
    });

    it('refuses tool parameters the grammar cannot enforce', async () => {
      const bad: OpenAI.ChatCompletionTool[] = [
        { type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { n: { type: 'number', maximum: 3 } } } } },
      ];
      await expect(openai.chat.completions.create({ model: MODEL, messages: hi, tools: bad })).rejects.toMatchObject({
        param: 'tools[0].function.parameters.properties.n.maximum',
      });
    });
  });

  describe('logprobs and logit_bias', () => {
    it('returns real log probabilities; at temperature 0 the top alternative is the chosen token', async () => {
      const completion = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 0, logprobs: true, top_logprobs: 3 });
      const entries = completion.choices[0].logprobs!.content!;
      expect(entries.map((e) => e.token).join('')).toBe(GREETING);
      for (const entry of entries) {
        expect(entry.top_logprobs).toHaveLength(3);
        expect(entry.top_logprobs[0].token).toBe(entry.token);
        expect(entry.top_logprobs[0].logprob).toBeCloseTo(entry.logprob, 9);
        expect(entry.logprob).toBeLessThanOrEqual(0);
        expect(entry.top_logprobs[1].logprob).toBeLessThanOrEqual(entry.top_logprobs[0].logprob);
        expect(Buffer.from(entry.bytes!).toString('utf8')).toBe(entry.token);
      }
    });

    it('streams log probabilities with the content they belong to', async () => {
      const stream = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 0, logprobs: true, stream: true });
      let text = '';
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        if (!choice?.delta.content) continue;
        text += choice.delta.content;
        expect(choice.logprobs!.content!.map((e) => e.token).join('')).toBe(choice.delta.content);
      }
      expect(text).toBe(GREETING);
    });

    it('applies logit_bias: -100 bans a token, so the model takes its next choice', async () => {
      const hello = demoTokenId('Hello');
      const completion = await openai.chat.completions.create({
        model: MODEL,
        messages: hi,
        temperature: 0,
        max_tokens: 3,
        logit_bias: { [hello]: -100 },
      });
      expect(completion.choices[0].message.content).toBe('One two three');
    });
  });

  describe('reasoning', () => {
    it('refuses reasoning_effort for a model whose chat format has no thinking (as OpenAI does for non-reasoning models)', async () => {
      await expect(openai.chat.completions.create({ model: MODEL, messages: hi, reasoning_effort: 'low' })).rejects.toMatchObject({
        constructor: OpenAI.BadRequestError,
        param: 'reasoning_effort',
      });
    });

    it('accepts reasoning_content in assistant history and answers without any', async () => {
      const completion = await openai.chat.completions.create({
        model: MODEL,
        temperature: 0,
        messages: [...hi, { role: 'assistant', content: 'Hi!', ...({ reasoning_content: 'The user greets me.' } as object) }, { role: 'user', content: 'Hello' }],
      });
      expect(completion.choices[0].message.content).toBe(GREETING);
      expect((completion.choices[0].message as { reasoning_content?: string }).reasoning_content).toBeUndefined();
    });
  });
});
