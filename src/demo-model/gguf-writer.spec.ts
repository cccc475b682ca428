import { encodeQ4_0, Q4_0_BLOCK } from './gguf-writer';

/** ggml's dequantize_row_q4_0: (nibble - 8) * scale. */
function decodeQ4_0(bytes: Buffer): Float32Array {
  const blocks = bytes.length / 18;
  const out = new Float32Array(blocks * Q4_0_BLOCK);
  const half = new DataView(new ArrayBuffer(2));
  for (let b = 0; b < blocks; b++) {
    half.setUint16(0, bytes.readUInt16LE(b * 18), true);
    const scale = halfToFloat(half.getUint16(0, true));
    for (let j = 0; j < Q4_0_BLOCK / 2; j++) {
      const q = bytes[b * 18 + 2 + j];
      out[b * Q4_0_BLOCK + j] = ((q & 0x0f) - 8) * scale;
      out[b * Q4_0_BLOCK + j + Q4_0_BLOCK / 2] = ((q >> 4) - 8) * scale;
    }
  }
  return out;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (mant / 1024);
  return sign * 2 ** (exp - 15) * (1 + mant / 1024);
}

describe('encodeQ4_0', () => {
  it('writes 18 bytes per 32 values that decode to within one step (the largest magnitude / 8) of the input', () => {
    const values = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.7) * (i < 32 ? 1 : 0.01));
    const bytes = encodeQ4_0(values);
    expect(bytes.length).toBe(36);
    const decoded = decodeQ4_0(bytes);
    for (let block = 0; block < 2; block++) {
      const slice = values.slice(block * Q4_0_BLOCK, (block + 1) * Q4_0_BLOCK);
      const step = Math.max(...slice.map(Math.abs)) / 8;
      for (let j = 0; j < Q4_0_BLOCK; j++) {
        const i = block * Q4_0_BLOCK + j;
        // Values on the largest one's side are rounded (half a step); the other side clips at 7 steps.
        expect(Math.abs(decoded[i] - values[i])).toBeLessThanOrEqual(step * 1.001);
      }
    }
  });

  it('maps the largest magnitude to -8 steps and zero blocks to zero', () => {
    const values = new Float32Array(64);
    values[3] = 4;
    values[20] = -2;
    const decoded = decodeQ4_0(encodeQ4_0(values));
    expect(decoded[3]).toBeCloseTo(4);
    expect(decoded[20]).toBeCloseTo(-2);
    expect([...decoded.slice(32)].every((v) => v === 0)).toBe(true);
  });
});
