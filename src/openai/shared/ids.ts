import { randomBytes } from 'node:crypto';

/** OpenAI-style object ids, e.g. `chatcmpl-3fK9...`. */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(18).toString('base64url')}`;
}

export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
