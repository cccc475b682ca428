import type { Response } from 'express';
import { chunkFrame, JsonEvent, SseWriter } from './sse-writer';

/** Just enough of a response for `send`: what it writes. */
function fakeResponse(): { res: Response; written: string[] } {
  const written: string[] = [];
  const res = { destroyed: false, writableEnded: false, write: (chunk: string) => written.push(chunk) > 0 };
  return { res: res as unknown as Response, written };
}

describe('chunkFrame', () => {
  const head = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1764150000, model: 'demo' };
  const own = { choices: [{ index: 0, delta: { content: 'a "quoted"\nline ✓' }, logprobs: null, finish_reason: null }] };

  it('writes the same JSON as the spread object, with and without a tail', () => {
    expect(chunkFrame(head, { usage: null })(own).json).toBe(JSON.stringify({ ...head, ...own, usage: null }));
    expect(chunkFrame(head)(own).json).toBe(JSON.stringify({ ...head, ...own }));
    expect(chunkFrame(head, {})({}).json).toBe(JSON.stringify(head));
  });

  it('stays the object it stands for wherever it is turned into JSON', () => {
    const event = chunkFrame(head)(own);
    expect(JSON.parse(JSON.stringify({ event }))).toEqual({ event: { ...head, ...own } });
  });
});

describe('SseWriter.send', () => {
  it('sends a JsonEvent as it is and anything else through JSON.stringify', async () => {
    const { res, written } = fakeResponse();
    const sse = new SseWriter(res);
    await sse.send(new JsonEvent('{"a":1}'));
    await sse.send({ b: 2 });
    expect(written).toEqual(['data: {"a":1}\n\n', 'data: {"b":2}\n\n']);
  });

  it('numbers a JsonEvent like any other event with typed framing', async () => {
    const { res, written } = fakeResponse();
    await new SseWriter(res, 'typed').send(new JsonEvent('{"type":"response.created"}'));
    expect(written).toEqual(['event: response.created\ndata: {"type":"response.created","sequence_number":0}\n\n']);
  });
});
