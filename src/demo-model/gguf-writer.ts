import { writeFileSync } from 'node:fs';

/** GGUF metadata value types (gguf.md, "GGUFValueType"). */
enum ValueType {
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
}

/** Tensor element types used here (ggml_type). */
export enum TensorType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
}

/** Values per Q4_0 block; rows of Q4_0 tensors must be a multiple of it. */
export const Q4_0_BLOCK = 32;

export type MetadataValue =
  | { type: 'u32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: string[] }
  | { type: 'f32[]'; value: ArrayLike<number> }
  | { type: 'i32[]'; value: ArrayLike<number> };

export interface TensorSpec {
  name: string;
  /** ggml dimensions, fastest-varying first (ne0 = row length). */
  dims: number[];
  data: Float32Array;
  type?: TensorType;
}

const ALIGNMENT = 32;

/** A minimal writer for GGUF version 3 files, enough for small llama-architecture models. */
export class GgufWriter {
  private readonly chunks: Buffer[] = [];

  private u32(value: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    this.chunks.push(b);
  }

  private u64(value: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    this.chunks.push(b);
  }

  private str(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.chunks.push(bytes);
  }

  private f32s(values: ArrayLike<number>): void {
    const b = Buffer.alloc(values.length * 4);
    for (let i = 0; i < values.length; i++) b.writeFloatLE(values[i], i * 4);
    this.chunks.push(b);
  }

  private i32s(values: ArrayLike<number>): void {
    const b = Buffer.alloc(values.length * 4);
    for (let i = 0; i < values.length; i++) b.writeInt32LE(values[i], i * 4);
    this.chunks.push(b);
  }

  private value(v: MetadataValue): void {
    switch (v.type) {
      case 'u32':
        this.u32(ValueType.UINT32);
        return this.u32(v.value);
      case 'f32':
        this.u32(ValueType.FLOAT32);
        return this.f32s([v.value]);
      case 'bool':
        this.u32(ValueType.BOOL);
        this.chunks.push(Buffer.from([v.value ? 1 : 0]));
        return;
      case 'string':
        this.u32(ValueType.STRING);
        return this.str(v.value);
      case 'string[]':
        this.u32(ValueType.ARRAY);
        this.u32(ValueType.STRING);
        this.u64(v.value.length);
        v.value.forEach((s) => this.str(s));
        return;
      case 'f32[]':
        this.u32(ValueType.ARRAY);
        this.u32(ValueType.FLOAT32);
        this.u64(v.value.length);
        return this.f32s(v.value);
      case 'i32[]':
        this.u32(ValueType.ARRAY);
        this.u32(ValueType.INT32);
        this.u64(v.value.length);
        return this.i32s(v.value);
    }
  }

  /** Serializes header, metadata, tensor infos and aligned tensor data into one buffer. */
  build(metadata: Record<string, MetadataValue>, tensors: TensorSpec[]): Buffer {
    this.chunks.length = 0;
    this.chunks.push(Buffer.from('GGUF', 'ascii'));
    this.u32(3);
    this.u64(tensors.length);
    this.u64(Object.keys(metadata).length);
    for (const [key, v] of Object.entries(metadata)) {
      this.str(key);
      this.value(v);
    }
    const payloads = tensors.map((t) => encodeTensor(t));
    let offset = 0;
    tensors.forEach((t, i) => {
      this.str(t.name);
      this.u32(t.dims.length);
      t.dims.forEach((d) => this.u64(d));
      this.u32(t.type ?? TensorType.F32);
      this.u64(offset);
      offset = align(offset + payloads[i].length);
    });
    const header = Buffer.concat(this.chunks);
    const parts: Buffer[] = [header, Buffer.alloc(align(header.length) - header.length)];
    for (const payload of payloads) {
      parts.push(payload, Buffer.alloc(align(payload.length) - payload.length));
    }
    return Buffer.concat(parts);
  }

  write(path: string, metadata: Record<string, MetadataValue>, tensors: TensorSpec[]): void {
    writeFileSync(path, this.build(metadata, tensors));
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGNMENT) * ALIGNMENT;
}

function encodeTensor(t: TensorSpec): Buffer {
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== expected) {
    throw new Error(`tensor ${t.name}: ${t.data.length} values for dims ${t.dims.join('x')}`);
  }
  const type = t.type ?? TensorType.F32;
  if (type === TensorType.F32) {
    return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  }
  if (type === TensorType.Q4_0) {
    if (t.dims[0] % Q4_0_BLOCK !== 0) throw new Error(`tensor ${t.name}: Q4_0 rows must be a multiple of ${Q4_0_BLOCK}`);
    return encodeQ4_0(t.data);
  }
  const out = Buffer.alloc(t.data.length * 2);
  for (let i = 0; i < t.data.length; i++) out.writeUInt16LE(toHalf(t.data[i]), i * 2);
  return out;
}

/**
 * ggml's block_q4_0 (quantize_row_q4_0_ref): per 32 values an f16 scale, then 16 bytes whose low
 * nibbles hold values 0..15 and high nibbles values 16..31, each as round(x / scale) + 8.
 */
export function encodeQ4_0(data: Float32Array): Buffer {
  const blocks = data.length / Q4_0_BLOCK;
  const out = Buffer.alloc(blocks * 18);
  for (let b = 0; b < blocks; b++) {
    const base = b * Q4_0_BLOCK;
    let max = 0;
    for (let j = 0; j < Q4_0_BLOCK; j++) if (Math.abs(data[base + j]) > Math.abs(max)) max = data[base + j];
    const scale = max / -8;
    const inverse = scale ? 1 / scale : 0;
    out.writeUInt16LE(toHalf(scale), b * 18);
    for (let j = 0; j < Q4_0_BLOCK / 2; j++) {
      const low = Math.min(15, Math.trunc(data[base + j] * inverse + 8.5));
      const high = Math.min(15, Math.trunc(data[base + j + Q4_0_BLOCK / 2] * inverse + 8.5));
      out[b * 18 + 2 + j] = low | (high << 4);
    }
  }
  return out;
}

/** IEEE 754 float32 -> float16 bits (round to nearest, no NaN payloads needed here). */
function toHalf(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  let exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant = (mant | 0x800000) >> (1 - exp);
    return sign | ((mant + 0x1000) >> 13);
  }
  if (exp >= 31) return sign | 0x7c00;
  mant += 0x1000;
  if (mant & 0x800000) {
    mant = 0;
    exp += 1;
    if (exp >= 31) return sign | 0x7c00;
  }
  return sign | (exp << 10) | (mant >> 13);
}
