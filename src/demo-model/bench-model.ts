import { DEMO_FIRST_TEXT_TOKEN, demoTokenizerMetadata } from './demo-model';
import { GgufWriter, MetadataValue, TensorSpec, TensorType } from './gguf-writer';

/** The shape of a bench model; the default is a llama of about 64 M parameters. */
export interface BenchModelShape {
  layers: number;
  /** Embedding width; a multiple of 32 (Q4_0 rows) and of `heads`. */
  width: number;
  feedForward: number;
  heads: number;
  seed: number;
}

export const BENCH_MODEL_SHAPE: BenchModelShape = { layers: 16, width: 576, feedForward: 1536, heads: 9, seed: 1 };
const CONTEXT_LENGTH = 4096;

/**
 * A random-weight llama for speed measurements: big enough that decoding is compute-bound on a CPU
 * (so a benchmark measures serving, not only per-token overhead), seeded so the file is the same on
 * every machine, Q4_0 like the small quantized models people run. It uses the demo vocabulary and
 * chat template; its text is gibberish. The output rows of the control and byte tokens are zero, so
 * greedy decoding practically never picks them: every stream runs to max_tokens, and every token is
 * text (no partial UTF-8 characters held back), so the time of each streamed chunk is that of a token.
 */
export function buildBenchModel(shape: BenchModelShape = BENCH_MODEL_SHAPE): Buffer {
  const tokenizer = demoTokenizerMetadata();
  const vocabulary = (tokenizer['tokenizer.ggml.tokens'] as { value: string[] }).value.length;
  const random = seeded(shape.seed);
  const { width, feedForward, layers, heads } = shape;
  /** Uniform weights with unit output variance: activations stay in range through every layer. */
  const matrix = (name: string, inputs: number, outputs: number): TensorSpec => {
    const data = new Float32Array(inputs * outputs);
    const bound = Math.sqrt(3 / inputs);
    for (let i = 0; i < data.length; i++) data[i] = (random() * 2 - 1) * bound;
    return { name, dims: [inputs, outputs], data, type: TensorType.Q4_0 };
  };
  const ones = (name: string): TensorSpec => ({ name, dims: [width], data: new Float32Array(width).fill(1) });

  const embedding = matrix('token_embd.weight', width, vocabulary);
  embedding.data = embedding.data.map((v) => v * Math.sqrt(width));
  const output = matrix('output.weight', width, vocabulary);
  output.data.fill(0, 0, DEMO_FIRST_TEXT_TOKEN * width);
  const tensors: TensorSpec[] = [embedding, ones('output_norm.weight'), output];
  for (let l = 0; l < layers; l++) {
    tensors.push(
      ones(`blk.${l}.attn_norm.weight`),
      matrix(`blk.${l}.attn_q.weight`, width, width),
      matrix(`blk.${l}.attn_k.weight`, width, width),
      matrix(`blk.${l}.attn_v.weight`, width, width),
      matrix(`blk.${l}.attn_output.weight`, width, width),
      ones(`blk.${l}.ffn_norm.weight`),
      matrix(`blk.${l}.ffn_gate.weight`, width, feedForward),
      matrix(`blk.${l}.ffn_up.weight`, width, feedForward),
      matrix(`blk.${l}.ffn_down.weight`, feedForward, width),
    );
  }

  const metadata: Record<string, MetadataValue> = {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: 'llamanest-bench' },
    'general.file_type': { type: 'u32', value: 2 }, // MOSTLY_Q4_0
    'general.quantization_version': { type: 'u32', value: 2 },
    'llama.context_length': { type: 'u32', value: CONTEXT_LENGTH },
    'llama.embedding_length': { type: 'u32', value: width },
    'llama.block_count': { type: 'u32', value: layers },
    'llama.feed_forward_length': { type: 'u32', value: feedForward },
    'llama.attention.head_count': { type: 'u32', value: heads },
    'llama.attention.head_count_kv': { type: 'u32', value: heads },
    'llama.rope.dimension_count': { type: 'u32', value: width / heads },
    'llama.rope.freq_base': { type: 'f32', value: 10000 },
    'llama.attention.layer_norm_rms_epsilon': { type: 'f32', value: 1e-5 },
    'llama.vocab_size': { type: 'u32', value: vocabulary },
    ...tokenizer,
  };
  return new GgufWriter().build(metadata, tensors);
}

/** mulberry32: a small, fast, seeded generator of uniform numbers in [0, 1). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
