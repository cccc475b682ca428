import { randomBytes } from 'node:crypto';

export const KEY_PREFIX = 'sk-lln-';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomText(length: number): string {
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps every character equally likely.
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

/** A new clear-text key: `sk-lln-` and 40 random base62 characters (about 238 bits). */
export function generateApiKey(): string {
  return KEY_PREFIX + randomText(40);
}

export function generateKeyId(): string {
  return `key_${randomText(16)}`;
}

/** How a key may appear anywhere visible: `sk-lln-…abcd`. */
export function redactKey(last4: string): string {
  return `${KEY_PREFIX}…${last4}`;
}
