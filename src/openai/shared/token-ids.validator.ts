import { ElementProblem } from './validation';

/** A token id as far as the wire can tell; the engine checks it against the model's vocabulary. */
export function isTokenId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** An array of token ids (may be empty); names the first bad element, e.g. `tokens[3]`. */
export function checkTokenIdArray(value: unknown, property: string): ElementProblem | null {
  if (!Array.isArray(value)) return { path: '', message: `'${property}' must be an array of token ids.` };
  const bad = value.findIndex((token) => !isTokenId(token));
  return bad === -1 ? null : { path: `[${bad}]`, message: `'${property}[${bad}]' must be a token id (a non-negative integer).` };
}
