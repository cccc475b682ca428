/**
 * The piece of a token whose text is not valid UTF-8 on its own (one byte of a multi-byte
 * character): its bytes, read from the vocabulary entry. llama.cpp's server answers the same way
 * (a string when the piece is valid UTF-8, otherwise the byte values).
 */
export function pieceOf(vocabularyEntry: string | undefined, vocabularyType: string): string | number[] | undefined {
  if (vocabularyEntry === undefined) return undefined;
  const bytes = vocabularyType === 'bpe' ? byteLevelBytes(vocabularyEntry) : byteTokenBytes(vocabularyEntry);
  return bytes && utf8OrBytes(bytes);
}

/** SentencePiece byte-fallback tokens are written `<0xE2>`. */
function byteTokenBytes(entry: string): number[] | undefined {
  const match = /^<0x([0-9A-Fa-f]{2})>$/.exec(entry);
  return match ? [parseInt(match[1], 16)] : undefined;
}

/** Byte-level BPE (GPT-2 style) spells every byte as one printable character; this undoes that mapping. */
function byteLevelBytes(entry: string): number[] | undefined {
  const bytes: number[] = [];
  for (const char of entry) {
    const byte = UNICODE_TO_BYTE.get(char);
    if (byte === undefined) return undefined;
    bytes.push(byte);
  }
  return bytes;
}

const UNICODE_TO_BYTE = (() => {
  const map = new Map<string, number>();
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 256;
  for (let b = 0; b < 256; b++) map.set(String.fromCodePoint(printable(b) ? b : next++), b);
  return map;
})();

function utf8OrBytes(bytes: number[]): string | number[] {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return bytes;
  }
}
