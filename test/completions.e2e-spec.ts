import OpenAI from 'openai';
import { demoTokenId } from '../src/demo-model/demo-model';
import { GREETING, TestServer } from './support/server';

const MODEL = 'llamanest-demo';

describe('legacy completions through the official openai client', () => {
  let server: TestServer;
  let openai: OpenAI;

  beforeAll(async () => {
    server = await TestServer.start();
    openai = server.client();
  });
  afterAll(() => server.stop());

  it('continues a string prompt as written (no chat template), 16 tokens by default', async () => {
    const completion = await openai.completions.create({ model: MODEL, prompt: 'one two', temperature: 0 });
    expect(completion.object).toBe('text_completion');
    expect(completion.id).toMatch(/^cmpl-/);
    expect(completion.choices).toEqual([
      {
        text: ' three four five six seven eight nine ten one two three four five six seven eight',
        index: 0,
        logprobs: null,
        finish_reason: 'length',
      },
    ]);
    expect(completion.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 16, total_tokens: 18 });
  });

  it('stops at the end of text with finish_reason stop', async () => {
    const completion = await openai.completions.create({ model: MODEL, prompt: 'Say this is a test', temperature: 0, max_tokens: 50 });
    expect(completion.choices[0]).toMatchObject({ text: `\n${GREETING}`, finish_reason: 'stop' });
  });

  it('takes token prompts and several prompts, each with n choices, indexed prompt by prompt', async () => {
    const one = demoTokenId('\u2581one');
    const completion = await openai.completions.create({
      model: MODEL,
      prompt: [[one], [demoTokenId('\u2581five')]],
      temperature: 0,
      max_tokens: 2,
      n: 2,
    });
    expect(completion.choices.map((c) => [c.index, c.text])).toEqual([
      [0, ' two three'],
      [1, ' two three'],
      [2, ' six seven'],
      [3, ' six seven'],
    ]);
    expect(completion.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 8 });
    const strings = await openai.completions.create({ model: MODEL, prompt: ['one two', 'nine'], temperature: 0, max_tokens: 1 });
    expect(strings.choices.map((c) => c.text)).toEqual([' three', '\n']);
  });

  it('echoes the prompt and cuts at stop sequences', async () => {
    const completion = await openai.completions.create({ model: MODEL, prompt: 'one two', temperature: 0, echo: true, stop: [' five'], max_tokens: 20 });
    expect(completion.choices[0]).toMatchObject({ text: 'one two three four', finish_reason: 'stop' });
  });

  it('returns legacy logprobs consistent with greedy decoding', async () => {
    const completion = await openai.completions.create({ model: MODEL, prompt: 'one two', temperature: 0, max_tokens: 3, logprobs: 2 });
    const logprobs = completion.choices[0].logprobs!;
    expect(logprobs.tokens).toEqual([' three', ' four', ' five']);
    expect(logprobs.text_offset).toEqual([0, 6, 11]);
    logprobs.tokens!.forEach((token, i) => {
      const top = Object.entries(logprobs.top_logprobs![i]!);
      expect(top).toHaveLength(2);
      expect(top[0][0]).toBe(token);
      expect(top[0][1]).toBeCloseTo(logprobs.token_logprobs![i], 9);
    });
  });

  it('streams chunks that reassemble to the same text, then usage and [DONE]', async () => {
    const whole = await openai.completions.create({ model: MODEL, prompt: 'three', temperature: 0, max_tokens: 6 });
    const stream = await openai.completions.create({
      model: MODEL,
      prompt: 'three',
      temperature: 0,
      max_tokens: 6,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.map((c) => c.choices[0]?.text ?? '').join('')).toBe(whole.choices[0].text);
    expect(chunks.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0].finish_reason)).toEqual(['length']);
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { completion_tokens: 6 } });
  });

  it('refuses what it cannot honour, naming the parameter', async () => {
    await expect(openai.completions.create({ model: MODEL, prompt: 'def f(', suffix: 'return 1' })).rejects.toMatchObject({
      constructor: OpenAI.BadRequestError,
      param: 'suffix',
    });
    await expect(openai.completions.create({ model: MODEL, prompt: 'x', best_of: 3 })).rejects.toMatchObject({ param: 'best_of', code: 'unsupported_parameter' });
    await expect(openai.completions.create({ model: MODEL, prompt: 'x', logprobs: 6 })).rejects.toMatchObject({ param: 'logprobs' });
    await expect(openai.completions.create({ model: MODEL, prompt: ['ok', ''] })).rejects.toMatchObject({ param: 'prompt[1]' });
    await expect(openai.completions.create({ model: MODEL, prompt: [1, -2] })).rejects.toMatchObject({ param: 'prompt[1]' });
    // llama.cpp would abort the whole process on an id outside the vocabulary
    await expect(openai.completions.create({ model: MODEL, prompt: [1, 999999] })).rejects.toMatchObject({ param: 'prompt[1]' });
    await expect(openai.completions.create({ model: MODEL, prompt: [[1], [2, 999999]] })).rejects.toMatchObject({ param: 'prompt[1][1]' });
    expect((await openai.completions.create({ model: MODEL, prompt: 'one', max_tokens: 1 })).choices).toHaveLength(1);
    await expect(openai.completions.create({ model: MODEL, prompt: 'x', max_tokens: 5000 })).rejects.toMatchObject({ code: 'context_length_exceeded' });
  });
});
