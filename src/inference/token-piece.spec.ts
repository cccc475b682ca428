import { pieceOf } from './token-piece';

describe('pieceOf', () => {
  it('reads SentencePiece byte tokens as bytes', () => {
    expect(pieceOf('<0xE2>', 'spm')).toEqual([0xe2]);
    expect(pieceOf('<0x41>', 'spm')).toBe('A');
    expect(pieceOf('hello', 'spm')).toBeUndefined();
  });

  it('undoes the byte-level BPE mapping', () => {
    // "Ġ" is the space byte, "â" the first byte of "€" (E2 82 AC) in GPT-2's byte alphabet.
    expect(pieceOf('Ġhi', 'bpe')).toBe(' hi');
    expect(pieceOf('â', 'bpe')).toEqual([0xe2]);
    expect(pieceOf('âĤ¬', 'bpe')).toBe('€');
  });

  it('gives up on unknown entries', () => {
    expect(pieceOf(undefined, 'spm')).toBeUndefined();
    expect(pieceOf('\u4e2d', 'bpe')).toBeUndefined();
  });
});
