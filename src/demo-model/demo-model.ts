import { GgufWriter, MetadataValue, TensorSpec } from './gguf-writer';

/**
 * The built-in demo model: a 1-layer llama-architecture GGUF whose weights are wired by hand
 * so that greedy output is known in advance. It is what `npm start` serves when no model is
 * configured and what every test asserts exact text against.
 *
 * How it works:
 * - Each token belongs to a "class" (one residual dimension); the output matrix maps a class to
 *   the next token, so generation follows fixed chains (a bigram model).
 * - After the chat template's "assistant\n" the model greets: {@link DEMO_GREETING}, then ends.
 *   At "demo" it branches: " model" is slightly likelier than " bot", so sampling with a seed
 *   is reproducible and greedy decoding is exact.
 * - If the word "count" appears anywhere in the context, one attention head notices it and the
 *   model counts instead: "One two three ... ten one two ..." forever (use max_tokens).
 * - Any other text is followed by a newline and then the greeting; " one" .. " ten" continue
 *   counting, which makes legacy completions predictable too.
 * - Under a grammar (JSON schema, forced tool calls) the chains are mostly disallowed; then small
 *   constant preferences for closing characters make the model close strings, objects and arrays
 *   early, so constrained output is short, valid and deterministic.
 */
export const DEMO_GREETING = 'Hello! I am the llamanest demo model.';
export const DEMO_GREETING_BRANCH = 'Hello! I am the llamanest demo bot.';
export const DEMO_COUNTING = 'One two three four five six seven eight nine ten';
export const DEMO_CONTEXT_LENGTH = 4096;

const SPACE = '\u2581';
const CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const SPECIAL_TOKENS = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>'];
const EOS = '<|im_end|>';
const NEWLINE = '<0x0A>';
const GREETING_CHAIN = ['Hello', '!', `${SPACE}I`, `${SPACE}am`, `${SPACE}the`, `${SPACE}llamanest`, `${SPACE}demo`, `${SPACE}model`, '.'];
const COUNT_WORDS = ['two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'one'].map((w) => SPACE + w);
const TRIGGERS = ['count', `${SPACE}count`, 'Count', `${SPACE}Count`];
const EXTRA_WORDS = ['user', 'assistant', 'system', 'developer', 'tool', `${SPACE}bot`];

const TOKEN_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, BYTE: 6 } as const;

const N_EMBD = 64;
const N_FF = 64;
const DIM_SEEN = 61; // written by attention when a trigger is in context
const DIM_CONST = 62; // 1 for every token
const DIM_TRIGGER = 63; // 1 for trigger tokens
const QK_DIM = 62; // a slow-rotating RoPE pair, so attention to the trigger ignores distance
const LOGIT = 8; // per unit of normalized activation: margins of ~40 logits
/** Context-free preferences (far below LOGIT, so they only matter where a grammar rules out the chains). */
const GRAMMAR_PREFERENCES: [string, number][] = [
  ['"', 1],
  ['}', 0.8],
  [']', 0.8],
  [',', 0.5],
  [':', 0.5],
  ['1', 0.3],
];

interface Vocabulary {
  tokens: string[];
  scores: number[];
  types: number[];
  id: Map<string, number>;
}

function buildVocabulary(): Vocabulary {
  const tokens: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const id = new Map<string, number>();
  const add = (text: string, type: number, score: number) => {
    if (id.has(text)) return;
    id.set(text, tokens.length);
    tokens.push(text);
    scores.push(score);
    types.push(type);
  };
  SPECIAL_TOKENS.forEach((t, i) => add(t, i === 0 ? TOKEN_TYPE.UNKNOWN : TOKEN_TYPE.CONTROL, 0));
  for (let b = 0; b < 256; b++) add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, TOKEN_TYPE.BYTE, 0);
  add(SPACE, TOKEN_TYPE.NORMAL, 1);
  for (let c = 33; c < 127; c++) add(String.fromCharCode(c), TOKEN_TYPE.NORMAL, 1);
  // Every substring of every word is a piece, so SentencePiece merges always reach the whole word.
  const words = [...GREETING_CHAIN, 'One', ...COUNT_WORDS, ...TRIGGERS, ...EXTRA_WORDS];
  for (const word of words) {
    const chars = [...word];
    for (let len = 2; len <= chars.length; len++) {
      for (let start = 0; start + len <= chars.length; start++) {
        add(chars.slice(start, start + len).join(''), TOKEN_TYPE.NORMAL, len);
      }
    }
  }
  return { tokens, scores, types, id };
}

/** The id of a token of the demo vocabulary (pieces use U+2581 for a leading space, like SentencePiece). */
export function demoTokenId(piece: string): number {
  const id = buildVocabulary().id.get(piece);
  if (id === undefined) throw new Error(`the demo vocabulary has no token ${JSON.stringify(piece)}`);
  return id;
}

/** The demo vocabulary and chat template as GGUF metadata (shared with the bench model). */
export function demoTokenizerMetadata(): Record<string, MetadataValue> {
  const vocab = buildVocabulary();
  const tok = (t: string) => vocab.id.get(t)!;
  return {
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'string[]', value: vocab.tokens },
    'tokenizer.ggml.scores': { type: 'f32[]', value: vocab.scores },
    'tokenizer.ggml.token_type': { type: 'i32[]', value: vocab.types },
    'tokenizer.ggml.unknown_token_id': { type: 'u32', value: tok('<unk>') },
    'tokenizer.ggml.bos_token_id': { type: 'u32', value: tok('<s>') },
    'tokenizer.ggml.eos_token_id': { type: 'u32', value: tok(EOS) },
    'tokenizer.ggml.padding_token_id': { type: 'u32', value: tok('<unk>') },
    'tokenizer.ggml.add_bos_token': { type: 'bool', value: false },
    'tokenizer.ggml.add_eos_token': { type: 'bool', value: false },
    'tokenizer.ggml.add_space_prefix': { type: 'bool', value: false },
    'tokenizer.chat_template': { type: 'string', value: CHAT_TEMPLATE },
  };
}

/** The first id of the demo vocabulary that is text: control tokens and the 256 byte tokens come before it. */
export const DEMO_FIRST_TEXT_TOKEN = SPECIAL_TOKENS.length + 256;

/** Builds the GGUF bytes of the demo model. Pure and deterministic: same bytes every time. */
export function buildDemoModel(): Buffer {
  const vocab = buildVocabulary();
  const nVocab = vocab.tokens.length;
  const tok = (t: string) => {
    const i = vocab.id.get(t);
    if (i === undefined) throw new Error(`demo vocabulary lacks ${t}`);
    return i;
  };

  // next-token table by class; one class per chain token, one shared "other" class
  const next = new Map<string, string>();
  GREETING_CHAIN.forEach((t, i) => next.set(t, GREETING_CHAIN[i + 1] ?? EOS));
  next.set('One', COUNT_WORDS[0]);
  COUNT_WORDS.forEach((t, i) => next.set(t, COUNT_WORDS[(i + 1) % COUNT_WORDS.length]));
  next.set(`${SPACE}bot`, '.');
  const classOf = new Map<string, number>();
  [...next.keys(), NEWLINE].forEach((t, i) => classOf.set(t, i));
  const otherClass = classOf.size;
  if (otherClass >= DIM_SEEN) throw new Error('too many classes for the embedding width');

  const embd = new Float32Array(nVocab * N_EMBD);
  vocab.tokens.forEach((t, i) => {
    embd[i * N_EMBD + (classOf.get(t) ?? otherClass)] = 1;
    embd[i * N_EMBD + DIM_CONST] = 1;
    if (TRIGGERS.includes(t)) embd[i * N_EMBD + DIM_TRIGGER] = 1;
  });

  const output = new Float32Array(nVocab * N_EMBD);
  const w = (token: string, dim: number, value: number) => (output[tok(token) * N_EMBD + dim] = value);
  for (const [from, to] of next) w(to, classOf.get(from)!, LOGIT);
  w(`${SPACE}bot`, classOf.get(`${SPACE}demo`)!, LOGIT - 0.02);
  w(NEWLINE, otherClass, LOGIT);
  w('Hello', classOf.get(NEWLINE)!, LOGIT);
  w('Hello', DIM_SEEN, -LOGIT);
  w('One', classOf.get(NEWLINE)!, LOGIT / 2);
  w('One', DIM_SEEN, LOGIT / 2);
  for (const [token, preference] of GRAMMAR_PREFERENCES) w(token, DIM_CONST, preference);

  // One attention head: the query is constant, the key fires on trigger tokens, the value
  // carries the trigger into DIM_SEEN (about 1.0 after the output projection).
  const square = () => new Float32Array(N_EMBD * N_EMBD);
  const wq = square();
  const wk = square();
  const wv = square();
  const wo = square();
  wq[QK_DIM * N_EMBD + DIM_CONST] = 3;
  wk[QK_DIM * N_EMBD + DIM_TRIGGER] = 3;
  wv[0 * N_EMBD + DIM_TRIGGER] = 1;
  wo[DIM_SEEN * N_EMBD + 0] = 1 / Math.sqrt(N_EMBD / 3);

  const ones = new Float32Array(N_EMBD).fill(1);
  const tensors: TensorSpec[] = [
    { name: 'token_embd.weight', dims: [N_EMBD, nVocab], data: embd },
    { name: 'output_norm.weight', dims: [N_EMBD], data: ones },
    { name: 'output.weight', dims: [N_EMBD, nVocab], data: output },
    { name: 'blk.0.attn_norm.weight', dims: [N_EMBD], data: ones },
    { name: 'blk.0.attn_q.weight', dims: [N_EMBD, N_EMBD], data: wq },
    { name: 'blk.0.attn_k.weight', dims: [N_EMBD, N_EMBD], data: wk },
    { name: 'blk.0.attn_v.weight', dims: [N_EMBD, N_EMBD], data: wv },
    { name: 'blk.0.attn_output.weight', dims: [N_EMBD, N_EMBD], data: wo },
    { name: 'blk.0.ffn_norm.weight', dims: [N_EMBD], data: ones },
    { name: 'blk.0.ffn_gate.weight', dims: [N_EMBD, N_FF], data: new Float32Array(N_EMBD * N_FF) },
    { name: 'blk.0.ffn_up.weight', dims: [N_EMBD, N_FF], data: new Float32Array(N_EMBD * N_FF) },
    { name: 'blk.0.ffn_down.weight', dims: [N_FF, N_EMBD], data: new Float32Array(N_EMBD * N_FF) },
  ];

  const metadata: Record<string, MetadataValue> = {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: 'llamanest-demo' },
    'general.file_type': { type: 'u32', value: 0 },
    'llama.context_length': { type: 'u32', value: DEMO_CONTEXT_LENGTH },
    'llama.embedding_length': { type: 'u32', value: N_EMBD },
    'llama.block_count': { type: 'u32', value: 1 },
    'llama.feed_forward_length': { type: 'u32', value: N_FF },
    'llama.attention.head_count': { type: 'u32', value: 1 },
    'llama.attention.head_count_kv': { type: 'u32', value: 1 },
    'llama.rope.dimension_count': { type: 'u32', value: N_EMBD },
    'llama.rope.freq_base': { type: 'f32', value: 1e6 },
    'llama.attention.layer_norm_rms_epsilon': { type: 'f32', value: 1e-5 },
    'llama.vocab_size': { type: 'u32', value: nVocab },
    ...demoTokenizerMetadata(),
  };
  return new GgufWriter().build(metadata, tensors);
}
