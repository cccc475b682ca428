import { ChatTurn } from '../../inference/inference.types';
import { ApiError } from '../shared/api-error';
import { ElementProblem } from '../shared/validation';

/** A text part of a message or of a function call's output. */
export interface TextPart {
  type: 'input_text' | 'output_text' | 'refusal';
  text?: string;
  refusal?: string;
}

export interface MessageItem {
  type?: 'message';
  role: 'user' | 'system' | 'developer' | 'assistant';
  content: string | TextPart[];
}

export interface FunctionCallItem {
  type: 'function_call';
  call_id: string;
  name: string;
  arguments: string;
}

export interface FunctionCallOutputItem {
  type: 'function_call_output';
  call_id: string;
  output: string | TextPart[];
}

/** The input items llamanest understands (the Responses API's text subset). */
export type InputItem = MessageItem | FunctionCallItem | FunctionCallOutputItem;

const ROLES = ['user', 'system', 'developer', 'assistant'];
const MEDIA_PARTS = ['input_image', 'input_file', 'input_audio'];

/**
 * Checks `input` of a Responses request: a string, or a non-empty array of message,
 * `function_call` and `function_call_output` items with text content. Names the element at fault,
 * e.g. `input[1].content[0].type`.
 */
export function checkResponseInput(value: unknown, property: string): ElementProblem | null {
  const at = (path: string, message: string): ElementProblem => ({ path, message: `'${property}${path}' ${message}` });
  if (typeof value === 'string') return null;
  if (!Array.isArray(value)) return at('', 'must be a string or an array of input items.');
  if (value.length === 0) return at('', 'must not be an empty array.');
  for (const [i, item] of value.entries()) {
    const problem = checkItem(item, `[${i}]`, at);
    if (problem) return problem;
  }
  return null;
}

type At = (path: string, message: string) => ElementProblem;

function checkItem(item: unknown, path: string, at: At): ElementProblem | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return at(path, 'must be an input item object.');
  const fields = item as Record<string, unknown>;
  const type = fields.type ?? (fields.role !== undefined ? 'message' : undefined);
  const isString = (key: string) => typeof fields[key] === 'string';
  switch (type) {
    case 'message':
      if (!ROLES.includes(fields.role as string)) return at(`${path}.role`, `must be one of ${ROLES.join(', ')}.`);
      if (isString('content')) return null;
      return checkParts(fields.content, `${path}.content`, at);
    case 'function_call':
      if (!isString('call_id') || fields.call_id === '') return at(`${path}.call_id`, 'must be a non-empty string.');
      if (!isString('name')) return at(`${path}.name`, 'must be a string.');
      if (!isString('arguments')) return at(`${path}.arguments`, 'must be a string (the JSON arguments).');
      return null;
    case 'function_call_output':
      if (!isString('call_id') || fields.call_id === '') return at(`${path}.call_id`, 'must be a non-empty string.');
      if (isString('output')) return null;
      return checkParts(fields.output, `${path}.output`, at);
    case undefined:
      return at(`${path}.type`, "is required for input items that are not messages (messages need a 'role').");
    default:
      return at(`${path}.type`, `is not supported: items of type '${String(type)}' cannot be used with llamanest (supported: message, function_call, function_call_output).`);
  }
}

function checkParts(parts: unknown, path: string, at: At): ElementProblem | null {
  if (!Array.isArray(parts)) return at(path, 'must be a string or an array of content parts.');
  for (const [j, part] of parts.entries()) {
    const partPath = `${path}[${j}]`;
    if (typeof part !== 'object' || part === null) return at(partPath, 'must be a content part object.');
    const { type, text, refusal } = part as Record<string, unknown>;
    if (MEDIA_PARTS.includes(type as string)) return at(`${partPath}.type`, `is not supported: llamanest serves text-only models ('${String(type)}').`);
    if (type === 'refusal') {
      if (typeof refusal !== 'string') return at(`${partPath}.refusal`, 'must be a string.');
    } else if (type === 'input_text' || type === 'output_text') {
      if (typeof text !== 'string') return at(`${partPath}.text`, 'must be a string.');
    } else {
      return at(`${partPath}.type`, `must be one of input_text, output_text, refusal (got '${String(type)}').`);
    }
  }
  return null;
}

function partsText(content: string | TextPart[]): string {
  return typeof content === 'string' ? content : content.map((p) => (p.type === 'refusal' ? p.refusal : p.text) ?? '').join('');
}

/**
 * Renders checked input items as chat turns: `developer` is `system`, function calls join the
 * assistant turn they follow, and each output answers an earlier call of the same `call_id`.
 * `paramOf(i)` names item i in errors (null for items from a stored response).
 */
export function toChatTurns(items: InputItem[], paramOf: (index: number) => string | null): ChatTurn[] {
  const turns: ChatTurn[] = [];
  const calls = new Set<string>();
  for (const [index, item] of items.entries()) {
    const last = turns.at(-1);
    if (item.type === 'function_call') {
      const call = { id: item.call_id, name: item.name, arguments: item.arguments };
      calls.add(item.call_id);
      if (last?.role === 'assistant') (last.toolCalls ??= []).push(call);
      else turns.push({ role: 'assistant', text: '', toolCalls: [call] });
    } else if (item.type === 'function_call_output') {
      if (!calls.has(item.call_id)) {
        const param = paramOf(index);
        throw ApiError.invalidRequest(`No tool call found for function call output with call_id '${item.call_id}'.`, param && `${param}.call_id`);
      }
      turns.push({ role: 'tool', text: partsText(item.output), toolCallId: item.call_id });
    } else {
      turns.push({ role: item.role === 'developer' ? 'system' : item.role, text: partsText(item.content) });
    }
  }
  return turns;
}
