import OpenAI from 'openai';
import { GREETING, TestServer } from './support/server';

const MODEL = 'llamanest-demo';
const hi: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];
/** "Hi" is 2 tokens; the ChatML frame around one user turn plus the assistant header is 9. */
const HI_PROMPT_TOKENS = 11;

describe('chat completions through the official openai client', () => {
  let server: TestServer;
  let openai: OpenAI;

  beforeAll(async () => {
    server = await TestServer.start();
    openai = server.client();
  });
  afterAll(() => server.stop());

  it('answers with the exact greedy text, finish_reason stop and exact usage', async () => {
    const completion = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 0 });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe(MODEL);
    expect(completion.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: GREETING, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' },
    ]);
    expect(completion.usage).toMatchObject({ prompt_tokens: HI_PROMPT_TOKENS, completion_tokens: 9, total_tokens: HI_PROMPT_TOKENS + 9 });
  });

  it('stops at max_tokens and max_completion_tokens with finish_reason length', async () => {
    const a = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 0, max_tokens: 3 });
    expect(a.choices[0].message.content).toBe('Hello! I');
    expect(a.choices[0].finish_reason).toBe('length');
    expect(a.usage?.completion_tokens).toBe(3);
    const b = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 0, max_completion_tokens: 5 });
    expect(b.choices[0].message.content).toBe('Hello! I am the');
    expect(b.choices[0].finish_reason).toBe('length');
  });

  it('cuts at stop sequences, which never appear in the output, streaming or not', async () => {
    const single = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 0, stop: ' demo' });
    expect(single.choices[0].message.content).toBe('Hello! I am the llamanest');
    expect(single.choices[0].finish_reason).toBe('stop');

    // "o! I a" spans four tokens: Hello | ! | ␣I | ␣am
    const stream = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 0, stop: ['zzz', 'o! I a'], stream: true });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe('Hell');
    expect(finish).toBe('stop');
  });

  it('streams chunks that reassemble to the same text, role first, one id, usage last', async () => {
    const stream = await openai.chat.completions.create({
      model: MODEL,
      messages: hi,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === MODEL)).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(GREETING);
    const finishes = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finishes).toHaveLength(1);
    expect(finishes[0].choices[0].finish_reason).toBe('stop');
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: HI_PROMPT_TOKENS, completion_tokens: 9, total_tokens: HI_PROMPT_TOKENS + 9 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('counts when asked, until the token limit', async () => {
    const completion = await openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Please count for me' }],
      temperature: 0,
      max_tokens: 12,
    });
    expect(completion.choices[0].message.content).toBe('One two three four five six seven eight nine ten one two');
    expect(completion.choices[0].finish_reason).toBe('length');
  });

  it('renders system, developer, assistant and tool turns and text-part content', async () => {
    const completion = await openai.chat.completions.create({
      model: MODEL,
      temperature: 0,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Greet.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Hi ' }, { type: 'text', text: 'there' }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '42' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Again' },
      ],
      user: 'someone',
    });
    expect(completion.choices[0].message.content).toBe(GREETING);
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(HI_PROMPT_TOKENS);
  });

  it('returns n choices; sampling with a seed is reproducible and top_p narrows it', async () => {
    const greedy = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 0, n: 2 });
    expect(greedy.choices.map((c) => [c.index, c.message.content])).toEqual([
      [0, GREETING],
      [1, GREETING],
    ]);
    expect(greedy.usage?.completion_tokens).toBe(18);

    const sample = () => openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 1, seed: 7, n: 12 });
    const first = (await sample()).choices.map((c) => c.message.content);
    const second = (await sample()).choices.map((c) => c.message.content);
    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set([GREETING, 'Hello! I am the llamanest demo bot.']));

    const narrow = await openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 1, top_p: 0.1, n: 6, seed: 7 });
    expect(narrow.choices.every((c) => c.message.content === GREETING)).toBe(true);
  });

  it('accepts the penalties and sampler extensions', async () => {
    const completion = await openai.chat.completions.create({
      model: MODEL,
      messages: hi,
      temperature: 0,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      // extensions as llama.cpp and vLLM name them
      ...({ top_k: 40, min_p: 0.05 } as object),
    });
    expect(completion.choices[0].message.content).toBe(GREETING);
  });

  it('reports reused prompt tokens of a repeated conversation as cached_tokens', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'A fairly long question to cache' }];
    await openai.chat.completions.create({ model: MODEL, messages, temperature: 0 });
    const again = await openai.chat.completions.create({ model: MODEL, messages, temperature: 0 });
    expect(again.usage!.prompt_tokens_details!.cached_tokens).toBe(again.usage!.prompt_tokens - 1);
  });

  it('maps errors to the SDK error classes', async () => {
    await expect(openai.chat.completions.create({ model: 'nope', messages: hi })).rejects.toMatchObject({
      constructor: OpenAI.NotFoundError,
      status: 404,
      code: 'model_not_found',
      param: 'model',
    });
    await expect(openai.chat.completions.create({ model: MODEL, messages: hi, temperature: 3 })).rejects.toMatchObject({
      constructor: OpenAI.BadRequestError,
      param: 'temperature',
    });
    await expect(openai.chat.completions.create({ model: MODEL, messages: hi, max_tokens: 5000 })).rejects.toMatchObject({
      constructor: OpenAI.BadRequestError,
      code: 'context_length_exceeded',
      message: expect.stringMatching(/maximum context length is 4096 tokens.*5011 tokens \(11 in the messages, 5000 in the completion\)/),
    });
    await expect(openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'x'.repeat(5000) }] })).rejects.toMatchObject({
      constructor: OpenAI.BadRequestError,
      code: 'context_length_exceeded',
    });
  });

  it('lists and describes models with the extension fields', async () => {
    const models = await openai.models.list();
    expect(models.data).toEqual([
      expect.objectContaining({ id: MODEL, object: 'model', owned_by: 'llamanest', context_length: 4096, loaded: true }),
    ]);
    const model = await openai.models.retrieve(MODEL);
    expect(model.id).toBe(MODEL);
    await expect(openai.models.retrieve('missing')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
