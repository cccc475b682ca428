import { isTokenId } from './token-ids.validator';
import { ElementProblem } from './validation';

/** OpenAI's limit on the number of inputs in one request (embeddings `input`, completions `prompt`). */
export const MAX_INPUTS = 2048;

const SHAPES = 'a non-empty string, an array of non-empty strings, an array of token ids or an array of non-empty token-id arrays';

/**
 * Checks an input in OpenAI's four shapes (embeddings `input`, completions `prompt`): nothing empty,
 * token ids non-negative integers (the model's vocabulary size is checked by the engine). Names the element.
 */
export function checkTextOrTokensInput(value: unknown, property: string): ElementProblem | null {
  const at = (path: string, message: string): ElementProblem => ({ path, message: `'${property}${path}' ${message}` });
  if (typeof value === 'string') return value.length > 0 ? null : at('', 'must not be an empty string.');
  if (!Array.isArray(value)) return at('', `must be ${SHAPES}.`);
  if (value.length === 0) return at('', 'must not be an empty array.');
  if (value.length > MAX_INPUTS) return at('', `must have at most ${MAX_INPUTS} elements.`);
  const first = value[0];
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    const path = `[${i}]`;
    if (typeof first === 'string') {
      if (typeof item !== 'string') return at(path, `must be a string, like every element of an array of strings.`);
      if (item.length === 0) return at(path, 'must not be an empty string.');
    } else if (typeof first === 'number') {
      if (!isTokenId(item)) return at(path, 'must be a token id (a non-negative integer).');
    } else if (Array.isArray(first)) {
      if (!Array.isArray(item)) return at(path, 'must be an array of token ids, like every element of an array of token arrays.');
      if (item.length === 0) return at(path, 'must not be an empty array.');
      const bad = item.findIndex((token) => !isTokenId(token));
      if (bad !== -1) return at(`${path}[${bad}]`, 'must be a token id (a non-negative integer).');
    } else {
      return at(path, `is not valid: '${property}' must be ${SHAPES}.`);
    }
  }
  return null;
}
