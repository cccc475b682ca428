import { FakeServer, T } from '../../../test/support/fake-engine';

/** A reasoning model's thinking, over the real HTTP pipeline and a fake engine whose format marks thoughts. */
describe('POST /v1/chat/completions with a reasoning model (fake engine)', () => {
  let server: FakeServer;
  const chat = (body: Record<string, unknown>) =>
    server.post('/v1/chat/completions', { model: 'fake-model', messages: [{ role: 'user', content: 'Hi' }], ...body });

  beforeAll(async () => {
    server = await FakeServer.start();
    server.backend.model.thoughts = {
      prefix: { text: '<think>', tokens: [T.OPEN] },
      suffix: { text: '</think>', tokens: [T.CLOSE] },
      openOnResponseStart: false,
    };
  });
  afterAll(() => server.close());

  it('returns the thought as reasoning_content and the rest as content', async () => {
    server.backend.model.script = [T.OPEN, T.HELLO, T.CLOSE, T.WORLD, T.BANG, T.EOG];
    const body = await (await chat({})).json();
    expect(body.choices[0].message).toMatchObject({ role: 'assistant', reasoning_content: 'Hello', content: ' world!' });
    expect(body.usage.completion_tokens).toBe(5);
  });

  it('streams the thought as reasoning_content deltas before the content', async () => {
    server.backend.model.script = [T.OPEN, T.HELLO, T.CLOSE, T.WORLD, T.EOG];
    const text = await (await chat({ stream: true })).text();
    const deltas = text
      .split('\n\n')
      .filter((e) => e.startsWith('data: {'))
      .map((e) => JSON.parse(e.slice(6)).choices[0].delta);
    expect(deltas.filter((d) => d.reasoning_content).map((d) => d.reasoning_content)).toEqual(['Hello']);
    expect(deltas.filter((d) => d.content).map((d) => d.content)).toEqual([' world']);
    expect(deltas.findIndex((d) => d.reasoning_content)).toBeLessThan(deltas.findIndex((d) => d.content));
  });

  it('reasoning_effort none answers after an empty thought', async () => {
    const calls = server.backend.model.generateCalls.length;
    server.backend.model.nextScripts = [[T.WORLD, T.EOG]];
    const body = await (await chat({ reasoning_effort: 'none' })).json();
    expect(body.choices[0].message.content).toBe(' world');
    expect(body.choices[0].message.reasoning_content).toBeUndefined();
    expect(server.backend.model.generateCalls[calls].prompt.slice(-2)).toEqual([T.OPEN, T.CLOSE]);
  });

  it('reasoning_effort minimal closes the thought after 256 tokens and lets the model answer', async () => {
    const calls = server.backend.model.generateCalls.length;
    server.backend.model.contextLength = 4096;
    server.backend.model.nextScripts = [[T.OPEN, ...Array<number>(300).fill(T.HELLO), T.EOG], [T.WORLD, T.EOG]];
    const body = await (await chat({ reasoning_effort: 'minimal', max_tokens: 1000 })).json();
    server.backend.model.contextLength = 64;
    expect(body.choices[0].message.reasoning_content).toBe('Hello'.repeat(256));
    expect(body.choices[0].message.content).toBe(' world');
    const second = server.backend.model.generateCalls[calls + 1].prompt;
    expect(second.slice(-258)).toEqual([T.OPEN, ...Array<number>(256).fill(T.HELLO), T.CLOSE]);
  });

  it('takes reasoning_content back in assistant history', async () => {
    server.backend.model.script = [T.WORLD, T.EOG];
    const res = await server.post('/v1/chat/completions', {
      model: 'fake-model',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello', reasoning_content: 'thinking' },
        { role: 'user', content: 'Again' },
      ],
    });
    expect(res.status).toBe(200);
    expect(server.backend.model.renderedTurns.at(-1)).toContainEqual({ role: 'assistant', text: 'Hello', reasoning: 'thinking', toolCalls: undefined });
  });

  it('keeps the Responses API answering when the model thinks (thoughts are not returned there yet)', async () => {
    server.backend.model.script = [T.OPEN, T.HELLO, T.CLOSE, T.WORLD, T.EOG];
    const res = await server.post('/v1/responses', { model: 'fake-model', input: 'Hi', store: false });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.output).toEqual([expect.objectContaining({ type: 'message', content: [expect.objectContaining({ type: 'output_text', text: ' world' })] })]);
  });

  it('rejects a bad reasoning_effort, naming it', async () => {
    const res = await chat({ reasoning_effort: 'extreme' });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ param: 'reasoning_effort' });
  });
});
