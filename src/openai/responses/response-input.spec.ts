import { checkResponseInput, InputItem, toChatTurns } from './response-input';

describe('checkResponseInput', () => {
  it('accepts strings and text items of every supported kind', () => {
    expect(checkResponseInput('Hi', 'input')).toBeNull();
    expect(
      checkResponseInput(
        [
          { role: 'developer', content: 'Be kind.' },
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ok', annotations: [] }, { type: 'refusal', refusal: 'no' }] },
          { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}', id: 'fc_1', status: 'completed' },
          { type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_text', text: '42' }] },
        ],
        'input',
      ),
    ).toBeNull();
  });

  it.each([
    [5, '', 'must be a string or an array'],
    [[{ content: 'x' }], '[0].type', 'is required'],
    [[{ role: 'user', content: 5 }], '[0].content', 'content parts'],
    [[{ role: 'user', content: [{ type: 'input_audio' }] }], '[0].content[0].type', 'text-only'],
    [[{ role: 'user', content: [{ type: 'input_text' }] }], '[0].content[0].text', 'must be a string'],
    [[{ type: 'function_call_output', call_id: '', output: 'x' }], '[0].call_id', 'non-empty'],
    [[{ type: 'item_reference', id: 'msg_1' }], '[0].type', "'item_reference'"],
  ])('names the element at fault in %j', (value, path, message) => {
    const problem = checkResponseInput(value, 'input');
    expect(problem?.path).toBe(path);
    expect(problem?.message).toContain(message);
  });
});

describe('toChatTurns', () => {
  it('joins function calls to the assistant turn they follow and answers them with tool turns', () => {
    const items: InputItem[] = [
      { role: 'developer', content: 'rules' },
      { role: 'user', content: [{ type: 'input_text', text: 'a' }, { type: 'input_text', text: 'b' }] },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Let me check.' }] },
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"x":1}' },
      { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'one' },
      { type: 'function_call_output', call_id: 'c2', output: 'two' },
      { type: 'function_call', call_id: 'c3', name: 'f', arguments: '{}' },
    ];
    expect(toChatTurns(items, (i) => `input[${i}]`)).toEqual([
      { role: 'system', text: 'rules' },
      { role: 'user', text: 'ab' },
      {
        role: 'assistant',
        text: 'Let me check.',
        toolCalls: [
          { id: 'c1', name: 'f', arguments: '{"x":1}' },
          { id: 'c2', name: 'g', arguments: '{}' },
        ],
      },
      { role: 'tool', text: 'one', toolCallId: 'c1' },
      { role: 'tool', text: 'two', toolCallId: 'c2' },
      { role: 'assistant', text: '', toolCalls: [{ id: 'c3', name: 'f', arguments: '{}' }] },
    ]);
  });

  it('refuses an output that answers no earlier call, naming it', () => {
    const items: InputItem[] = [{ type: 'function_call_output', call_id: 'nope', output: 'x' }];
    expect(() => toChatTurns(items, (i) => `input[${i}]`)).toThrow(expect.objectContaining({ status: 400, param: 'input[0].call_id' }));
  });
});
