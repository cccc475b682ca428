import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { randomInt } from 'node:crypto';
import { cpus } from 'node:os';
import {
  commonPrefixLength,
  EngineBackend,
  EngineEmbeddingContext,
  EngineGrammar,
  EngineModel,
  EngineSequence,
  FormatText,
  FunctionCallSyntax,
  GeneratedToken,
  GenerateOptions,
  GrammarSpec,
  ModelLoadSpec,
  RenderedPrompt,
  SequenceGeneration,
  ThoughtSyntax,
  TokenizeOptions,
} from './engine.port';
import { AppConfig } from '../config/config.schema';
import { APP_CONFIG } from '../config/config.module';
import { attachInlineWork, CpuThreadpool, CpuThreadpoolStats, hugePageBytes, InlineWork, InlineWorkStats, loadCpuThreadpool, loadHugePages } from './engine-hooks';
import { abortError } from './inference.errors';
import { ChatTurn, ToolDefinition } from './inference.types';
import { pieceOf } from './token-piece';
import { LoopToken, tokenLoop, TokenLoopOptions, tokenLoopSupported, WithLock } from './node-llama-cpp.token-loop';

type Module = typeof NodeLlamaCpp;

/** node-llama-cpp is ESM-only; TypeScript keeps this `import()` as a real dynamic import in our CommonJS build. */
let modulePromise: Promise<Module> | undefined;
function loadModule(): Promise<Module> {
  modulePromise ??= import('node-llama-cpp');
  return modulePromise;
}

/** node-llama-cpp's context lock is lifecycle-utils' `withLock` (ESM too): our dependency at its version, so npm keeps one instance. */
let withLockPromise: Promise<WithLock> | undefined;
function loadWithLock(): Promise<WithLock> {
  withLockPromise ??= import('lifecycle-utils').then((m) => m.withLock as WithLock);
  return withLockPromise;
}

const DEFAULT_MAX_CONTEXT = 8192;
const PROMPT_CHUNK = 512;
const MAX_PUNISH_TOKENS = 256;

/** What `llamanest models list` shows of a GGUF file. */
export interface ModelFileInfo {
  /** The dominant quantization, e.g. `Q4_K_M`, `F16`. */
  quant?: string;
  /** The context the model was trained with, in tokens. */
  trainContext?: number;
  architecture?: string;
}

/** Reads a GGUF file's header (no weights are loaded). */
export async function inspectModelFile(path: string): Promise<ModelFileInfo> {
  const m = await loadModule();
  const info = await m.readGgufFileInfo(path, { readTensorInfo: false, logWarnings: false });
  const fileType = info.metadata.general?.file_type;
  const architecture = info.metadata.general?.architecture;
  const llm = info.architectureMetadata as { context_length?: number } | undefined;
  return {
    quant: fileType === undefined ? undefined : m.GgufFileType[fileType]?.replace(/^(MOSTLY|ALL)_/, ''),
    trainContext: llm?.context_length,
    architecture,
  };
}

/** Downloads an `hf:` URI or URL into `directory` (once; with a progress bar on the terminal) and returns the local path. */
export async function pullModelFile(uri: string, directory: string, signal?: AbortSignal): Promise<string> {
  const m = await loadModule();
  return m.resolveModelFile(uri, { directory, cli: true, download: 'auto', signal });
}

/** The only place that talks to node-llama-cpp. */
@Injectable()
export class NodeLlamaCppBackend implements EngineBackend {
  private readonly logger = new Logger('Engine');
  private llama?: Promise<NodeLlamaCpp.Llama>;
  private cpuThreadpool?: CpuThreadpool;
  private inlineWork?: InlineWork;
  private hugePages = false;

  constructor(@Optional() @Inject(APP_CONFIG) private readonly config?: Pick<AppConfig, 'cpuThreadpool' | 'hugePages' | 'inlineWork' | 'soloDecode'>) {}

  private getLlama(): Promise<NodeLlamaCpp.Llama> {
    if (!this.llama) {
      // Before node-llama-cpp loads its addon (see engine-hooks.ts).
      const wanted = this.config?.cpuThreadpool ?? true;
      this.cpuThreadpool = loadCpuThreadpool(wanted);
      this.hugePages = loadHugePages(this.config?.hugePages ?? true);
      if (wanted && !this.cpuThreadpool && process.platform === 'linux') {
        this.logger.warn('the engine hooks addon is not built (sh src/native/engine-hooks/build.sh); decoding on the CPU is slower without it');
      }
      // gpu "auto": Metal on Apple silicon, CUDA/Vulkan where present, otherwise the CPU.
      this.llama = loadModule().then(async (m) => {
        const llama = await m.getLlama({ gpu: 'auto', logLevel: m.LlamaLogLevel.error });
        // On the CPU, small decodes and sampling run on this thread, as in llama-server's loop; GPU
        // backends keep node-llama-cpp's threadpool hand-off (nothing measured there).
        this.inlineWork = attachInlineWork(llama.gpu === false && (this.config?.inlineWork ?? true));
        return llama;
      });
    }
    return this.llama;
  }

  /** Counters of the engine hooks, for tests (undefined where a hook is not active). */
  hookStats(): { cpuThreadpool?: CpuThreadpoolStats; inlineWork?: InlineWorkStats; hugePageBytes?: number } {
    return { cpuThreadpool: this.cpuThreadpool?.stats(), inlineWork: this.inlineWork?.stats(), hugePageBytes: this.hugePages ? hugePageBytes() : undefined };
  }

  async estimateMemory(spec: ModelLoadSpec): Promise<number> {
    const m = await loadModule();
    const llama = await this.getLlama();
    const modelPath = await this.resolve(m, spec);
    const insights = await m.GgufInsights.from(await m.readGgufFileInfo(modelPath, { signal: spec.signal }), llama);
    // The split between RAM and VRAM hardly changes the sum, which is what unified memory cares about.
    const gpuLayers = llama.gpu === false ? 0 : typeof spec.gpuLayers === 'number' ? spec.gpuLayers : insights.totalLayers;
    const contextSize = spec.contextSize ?? Math.min(insights.trainContextSize ?? DEFAULT_MAX_CONTEXT, DEFAULT_MAX_CONTEXT);
    const weights = await insights.estimateModelResourceRequirementsV2({ gpuLayers });
    const context = await insights.estimateContextResourceRequirementsV2({ contextSize, modelGpuLayers: gpuLayers, sequences: spec.sequences });
    return weights.cpuRam + weights.gpuVram + context.cpuRam + context.gpuVram;
  }

  /**
   * With a GPU, what Metal (or the GPU driver) still lets us allocate: on Apple silicon that is the
   * unified memory the system grants the GPU. Without one, the system's available RAM.
   */
  async availableMemory(): Promise<number> {
    const llama = await this.getLlama();
    if (llama.gpu !== false) {
      const vram = await llama.getVramState();
      if (vram.unifiedSize > 0) return vram.free;
      return vram.free + (await llama.getRamState()).free;
    }
    return (await llama.getRamState()).free;
  }

  async loadModel(spec: ModelLoadSpec): Promise<EngineModel> {
    const m = await loadModule();
    const llama = await this.getLlama();
    const modelPath = await this.resolve(m, spec);
    const model = await llama.loadModel({ modelPath, gpuLayers: spec.gpuLayers, loadSignal: spec.signal });
    const cpuCores = llama.gpu === false && spec.threads === undefined ? Math.min(llama.cpuMathCores, cpus().length) : undefined;
    // On CPU the context gets every core. With the persistent threadpool (engine-hooks.ts) every batch
    // uses them all; without it, token-by-token decoding uses one fewer (see threadsPerBatch).
    const threads = spec.threads ?? cpuCores;
    try {
      if (spec.embeddingOnly) {
        const embeddingSize = spec.contextSize ?? Math.min(model.trainContextSize, DEFAULT_MAX_CONTEXT);
        const loaded = new NodeLlamaCppModel(m, llama, model, undefined, { contextSize: embeddingSize, threads, signal: spec.signal });
        await loaded.embeddingContext();
        return loaded;
      }
      const context: NodeLlamaCpp.LlamaContext = await model.createContext({
        sequences: spec.sequences,
        batching: { itemPrioritizationStrategy: inSequenceOrder(() => context) },
        contextSize: spec.contextSize ?? { max: Math.min(model.trainContextSize, DEFAULT_MAX_CONTEXT) },
        threads,
        // On the CPU, as llama-server does: flash attention wherever the model supports it (with several
        // sequences in one context it was ~1.5× the tokens/s, measured). GPUs keep node-llama-cpp's default.
        flashAttention: llama.gpu === false ? 'auto' : undefined,
        createSignal: spec.signal,
      });
      if (cpuCores !== undefined && !this.cpuThreadpool) threadsPerBatch(context, cpuCores);
      const solo = (this.config?.soloDecode ?? true) ? await loadWithLock() : undefined;
      return new NodeLlamaCppModel(m, llama, model, context, { contextSize: context.contextSize, threads }, solo);
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  async dispose(): Promise<void> {
    if (this.llama) await (await this.llama).dispose();
  }

  /** A local path as is; an `hf:` or URL source downloaded once into the models directory (with a progress bar). */
  private resolve(m: Module, spec: ModelLoadSpec): Promise<string> {
    return m.resolveModelFile(spec.source, { directory: spec.downloadDir, cli: true, signal: spec.signal });
  }
}

/**
 * node-llama-cpp gives each sequence its own KV stream, and llama.cpp then splits a batch into one
 * ubatch (one graph) per run of consecutive, increasing sequence ids (`split_equal`, sequential). It
 * fills a batch in the order the sequences queued their tokens, which follows the order requests came
 * in and took sequences: four streams on sequences 3, 2, 1, 0 were four graphs of one token each per
 * step, where 0, 1, 2, 3 is one graph of four (in-process, bench model, 4 streams: ~470 vs ~740 tok/s;
 * llama-server fills its batches in slot order). This strategy puts the batch in sequence-id order and
 * shares it out like node-llama-cpp's default ("maximumParallelism"): an equal share each, then the
 * rest in order. The queue that `items` mirrors one to one is node-llama-cpp's internal `_queuedDecodes`
 * (3.21.1, pinned); without it the order stays as queued.
 */
function inSequenceOrder(context: () => NodeLlamaCpp.LlamaContext | undefined): NodeLlamaCpp.CustomBatchingPrioritizationStrategy {
  return ({ items, size }) => {
    const queued = (context() as unknown as { _queuedDecodes?: { sequenceId: number }[] } | undefined)?._queuedDecodes;
    const ids = queued?.length === items.length ? queued.map((q) => q.sequenceId) : items.map((_, i) => i);
    const order = items.map((item, i) => ({ item, id: ids[i] })).sort((a, b) => a.id - b.id);
    let left = size;
    const share = Math.max(1, Math.floor(size / items.length));
    const batch = order.map(({ item }) => {
      const processAmount = Math.min(item.tokens.length, share, left);
      left -= processAmount;
      return { item, processAmount };
    });
    for (const entry of batch) {
      const more = Math.min(entry.item.tokens.length - entry.processAmount, left);
      entry.processAmount += more;
      left -= more;
    }
    return batch.filter((entry) => entry.processAmount > 0);
  };
}

/** Batches of at least this many tokens (prompts) are computed with every core (measured break-even: 32-64 tokens). */
const ALL_CORES_BATCH = 64;

/**
 * CPU without the persistent threadpool only (the fallback where the addon is not built): ggml then
 * starts and joins its worker threads for every graph, and they meet at a spinning barrier after every
 * operation, so a token-by-token decode with one thread per core stalls whenever the event loop (which
 * hands every token over) or anything else on the machine takes a core; one thread fewer decodes faster.
 * Prompt batches are long and compute-bound, and there every core nearly halves the time. node-llama-cpp
 * sets a context's thread count before each batch (`setThreads`, after `initBatch(size)`); this picks the
 * count by the batch's size. Only the addon object's own methods are wrapped, so it stays the same object.
 */
function threadsPerBatch(context: NodeLlamaCpp.LlamaContext, cores: number): void {
  const addon = (context as unknown as { _ctx?: Record<string, unknown> })._ctx;
  const initBatch = addon?.initBatch;
  const setThreads = addon?.setThreads;
  if (cores < 2 || !addon || typeof initBatch !== 'function' || typeof setThreads !== 'function') return;
  let batchSize = 0;
  Object.defineProperty(addon, 'initBatch', {
    configurable: true,
    value: (size: number) => {
      batchSize = size;
      return initBatch.call(addon, size);
    },
  });
  Object.defineProperty(addon, 'setThreads', {
    configurable: true,
    value: (threads: number) => setThreads.call(addon, batchSize >= ALL_CORES_BATCH ? threads : Math.max(1, Math.min(threads, cores - 1))),
  });
}

/** How the embedding context of a model is created (lazily, once). */
interface EmbeddingContextSpec {
  contextSize: number;
  threads?: number;
  signal?: AbortSignal;
}

class NodeLlamaCppModel implements EngineModel {
  private readonly chatWrapper: NodeLlamaCpp.ChatWrapper;
  private readonly sequences: NodeLlamaCppSequence[];
  private embedding?: Promise<NodeLlamaCppEmbeddingContext>;
  private readonly endOfGeneration = new Map<number, boolean>();

  /** `context` is absent for embedding-only models. */
  constructor(
    private readonly m: Module,
    private readonly llama: NodeLlamaCpp.Llama,
    private readonly model: NodeLlamaCpp.LlamaModel,
    private readonly context: NodeLlamaCpp.LlamaContext | undefined,
    private readonly embeddingSpec: EmbeddingContextSpec,
    /** With solo decoding: the lock node-llama-cpp's dispatcher takes (see node-llama-cpp.token-loop.ts). */
    withLock?: WithLock,
  ) {
    // The GGUF's own chat template when it has one, otherwise a sensible general format.
    this.chatWrapper = m.resolveChatWrapper(model);
    const generating = { count: 0 };
    this.sequences = Array.from({ length: context?.totalSequences ?? 0 }, () => new NodeLlamaCppSequence(m, model, context!.getSequence(), generating, withLock));
  }

  functionCallSyntax(): FunctionCallSyntax {
    const call = this.chatWrapper.settings.functions.call;
    const alternates = (call.prefixAlternateMatches ?? []).map((p) => this.formatText(p).text);
    const prefix = this.formatText(call.prefix);
    return {
      prefix,
      paramsPrefix: this.formatText(call.paramsPrefix),
      suffix: this.formatText(call.suffix),
      triggers: [...new Set([prefix.text.trim(), ...alternates.map((a) => a.trim())])].filter(Boolean),
    };
  }

  thoughtSyntax(): ThoughtSyntax | undefined {
    const thought = this.chatWrapper.settings.segments?.thought;
    if (!thought) return undefined;
    // A prefix of type "openedOnStart" means the prompt itself opens the thought (e.g. DeepSeek R1).
    const openedByPrompt = typeof thought.prefix === 'object' && 'type' in thought.prefix;
    return {
      prefix: openedByPrompt ? { text: '', tokens: [] } : this.formatText(thought.prefix as string | NodeLlamaCpp.LlamaText),
      suffix: this.formatText(thought.suffix ?? ''),
      openOnResponseStart: openedByPrompt || Boolean(thought.openOnResponseStart),
    };
  }

  infillPrompt(prefix: number[], suffix: number[]): number[] | undefined {
    const { prefix: pre, suffix: suf, middle } = this.model.tokens.infill;
    if (pre === null || suf === null) return undefined;
    const begin = this.model.tokens.shouldPrependBosToken && this.model.tokens.bos !== null ? [this.model.tokens.bos] : [];
    // The order llama.cpp and node-llama-cpp use: prefix-suffix-middle, or suffix-prefix without a middle token.
    return middle !== null ? [...begin, pre, ...prefix, suf, ...suffix, middle] : [...begin, suf, ...suffix, pre, ...prefix];
  }

  async createGrammar(spec: GrammarSpec): Promise<EngineGrammar> {
    const grammar =
      spec.type === 'json_schema'
        ? await this.llama.createGrammar({ grammar: tightenJsonSchemaGrammar((await this.llama.createGrammarForJsonSchema(spec.schema as never)).grammar) })
        : await this.llama.createGrammar({ grammar: `root ::= ${spec.texts.map((t) => JSON.stringify(t)).join(' | ')}` });
    return new NodeLlamaCppGrammar(grammar);
  }

  private formatText(value: string | NodeLlamaCpp.LlamaText): FormatText {
    const text = this.m.LlamaText(value);
    return { text: text.toString(), tokens: text.tokenize(this.model.tokenizer) as number[] };
  }

  get contextLength(): number {
    return this.context?.contextSize ?? this.embeddingSpec.contextSize;
  }

  get vocabularySize(): number {
    return this.model.fileInfo.metadata.tokenizer?.ggml?.tokens?.length ?? 0;
  }

  get embeddingSize(): number {
    return this.model.embeddingVectorSize;
  }

  get sequenceCount(): number {
    return this.sequences.length;
  }

  get sizeBytes(): number {
    return this.model.size;
  }

  tokenize(text: string, options: TokenizeOptions = {}): number[] {
    const tokens = this.model.tokenize(text, options.parseSpecial ?? false) as number[];
    return options.addSpecial ? withSpecialTokens(this.model, tokens) : tokens;
  }

  tokenPiece(token: number): string | number[] {
    const text = this.model.detokenize([token as NodeLlamaCpp.Token], true);
    // A piece that is part of a multi-byte character comes back as U+FFFD; its bytes are in the vocabulary.
    if (!text.includes('\uFFFD')) return text;
    return pieceOf(this.model.fileInfo.metadata.tokenizer.ggml.tokens[token], this.model.vocabularyType) ?? text;
  }

  embeddingContext(): Promise<EngineEmbeddingContext> {
    this.embedding ??= this.createEmbeddingContext();
    // A failed creation (e.g. out of memory) may succeed later: do not keep the rejection.
    this.embedding.catch(() => (this.embedding = undefined));
    return this.embedding;
  }

  private async createEmbeddingContext(): Promise<NodeLlamaCppEmbeddingContext> {
    const { contextSize, threads, signal } = this.embeddingSpec;
    // One batch holds a whole input: non-causal (BERT-like) models need every token of an input in one batch.
    const context = await this.model.createEmbeddingContext({ contextSize, batchSize: contextSize, threads: threads ?? 0, createSignal: signal });
    return new NodeLlamaCppEmbeddingContext(this.model, context, contextSize);
  }

  detokenize(tokens: readonly number[], options?: { special?: boolean }): string {
    return this.model.detokenize(tokens as NodeLlamaCpp.Token[], options?.special ?? false);
  }

  /** Asked twice for every generated token: each token's answer is kept (one native call per distinct token). */
  isEndOfGeneration(token: number): boolean {
    let end = this.endOfGeneration.get(token);
    if (end === undefined) this.endOfGeneration.set(token, (end = this.model.isEogToken(token as NodeLlamaCpp.Token)));
    return end;
  }

  renderChat(turns: ChatTurn[], tools?: ToolDefinition[]): RenderedPrompt {
    const availableFunctions = tools?.length
      ? Object.fromEntries(tools.map((t) => [t.name, { description: t.description, params: t.parameters as NodeLlamaCpp.GbnfJsonSchema | undefined }]))
      : undefined;
    const state = this.chatWrapper.generateContextState({ chatHistory: toChatHistory(turns), availableFunctions });
    const stopTexts: string[] = [];
    const stopTokens: number[] = [];
    for (const trigger of state.stopGenerationTriggers) {
      if (trigger.values.every((v) => typeof v === 'string')) {
        stopTexts.push(trigger.toString());
        continue;
      }
      const tokens = trigger.tokenize(this.model.tokenizer);
      if (tokens.length === 1) stopTokens.push(tokens[0]);
    }
    return { tokens: state.contextText.tokenize(this.model.tokenizer) as number[], stopTexts, stopTokens };
  }

  sequence(index: number): EngineSequence {
    return this.sequences[index];
  }

  async dispose(): Promise<void> {
    await (await this.embedding?.catch(() => undefined))?.dispose();
    await this.context?.dispose();
    await this.model.dispose();
  }
}

class NodeLlamaCppEmbeddingContext implements EngineEmbeddingContext {
  constructor(
    private readonly model: NodeLlamaCpp.LlamaModel,
    private readonly context: NodeLlamaCpp.LlamaEmbeddingContext,
    private readonly contextSize: number,
  ) {}

  get maxInputTokens(): number {
    // node-llama-cpp refuses inputs of contextSize tokens or more.
    return this.contextSize - 1;
  }

  withSpecialTokens(tokens: readonly number[]): number[] {
    return withSpecialTokens(this.model, tokens);
  }

  async embed(tokens: readonly number[]): Promise<number[]> {
    const embedding = await this.context.getEmbeddingFor(tokens as NodeLlamaCpp.Token[]);
    return [...embedding.vector];
  }

  dispose(): Promise<void> {
    return this.context.dispose();
  }
}

/**
 * Adds the begin/end tokens llama.cpp adds to a whole input for this vocabulary, as node-llama-cpp's
 * embedding context does (its helper is not exported): then our token counts are the evaluated ones.
 */
function withSpecialTokens(model: NodeLlamaCpp.LlamaModel, tokens: readonly number[]): number[] {
  const { bos, eos, sep, shouldPrependBosToken, shouldAppendEosToken } = model.tokens;
  const type: string = model.vocabularyType;
  const begin = type === 'rwkv' || type === 'ugm' ? null : type === 'wpm' || shouldPrependBosToken ? bos : null;
  const end = type === 'rwkv' ? null : type === 'wpm' ? sep : type === 'ugm' || shouldAppendEosToken ? eos : null;
  const result = [...tokens];
  if (begin !== null && result[0] !== begin) result.unshift(begin);
  if (end !== null && result[result.length - 1] !== end) result.push(end);
  return result;
}

/** node-llama-cpp's day of any month: 01–31. */
const ANY_DAY = '[0-9]{4} "-" ("0" [1-9] | "1" [012]) "-" ("0" [1-9] | [12] [0-9] | "3" [01])';

/** A calendar date: 30-day months end on the 30th, February on the 28th, or the 29th in leap years. */
const CALENDAR_DATE_RULES = [
  'calendar-date-rule ::= [0-9]{4} "-" (("0" [13578] | "1" [02]) "-" (day-29-rule | "30" | "31") | ("0" [469] | "11") "-" (day-29-rule | "30") | "02-" day-28-rule) | leap-year-rule "-02-29"',
  'day-28-rule ::= "0" [1-9] | "1" [0-9] | "2" [0-8]',
  'day-29-rule ::= day-28-rule | "29"',
  // divisible by 4, and centuries only when divisible by 400
  'leap-year-rule ::= [0-9] [0-9] ("0" [48] | [2468] [048] | [13579] [26]) | ("0" [048] | [2468] [048] | [13579] [26]) "00"',
];

/**
 * Closes holes in node-llama-cpp 3.21.1's JSON-schema grammars that sampling hit or can hit:
 * - an `integer` could carry any exponent (`5E-77`, not an integer): now none;
 * - a `number`'s exponent could have 16 digits (`1E9999` parses to Infinity, which JSON Schema's
 *   `number` excludes): now at most two;
 * - `format: "date"` / `"date-time"` allowed the 31st of every month (`2023-02-31`): now calendar dates.
 * Throws if a rule is not as expected, so an upgrade cannot quietly undo this.
 */
export function tightenJsonSchemaGrammar(grammar: string): string {
  const exponent = ' ([eE] [-+]? ("0" | [1-9] [0-9]{0,15}))?';
  const rules = grammar.split('\n');
  const rewrite = (name: string, replace: (body: string) => string) => {
    const at = rules.findIndex((r) => r.startsWith(`${name} ::= `));
    if (at < 0) return;
    if (!rules[at].endsWith(exponent)) throw new Error(`Unexpected ${name} in the JSON-schema grammar: ${rules[at]}`);
    rules[at] = replace(rules[at].slice(0, -exponent.length));
  };
  rewrite('integer-number-rule', (body) => body);
  rewrite('fractional-number-rule', (body) => `${body} ([eE] [-+]? [0-9]{1,2})?`);
  const tightened = rules.join('\n');
  // A date is written out where it is used (a rule of its own, or inside the root rule).
  if (!tightened.includes(ANY_DAY)) {
    if (tightened.includes('[0-9]{4} "-"')) throw new Error(`Unexpected date in the JSON-schema grammar: ${grammar}`);
    return tightened;
  }
  return [tightened.split(ANY_DAY).join('calendar-date-rule'), ...CALENDAR_DATE_RULES].join('\n');
}

class NodeLlamaCppGrammar implements EngineGrammar {
  readonly kind = 'grammar';

  constructor(readonly grammar: NodeLlamaCpp.LlamaGrammar) {}
}

class NodeLlamaCppSequence implements EngineSequence {
  constructor(
    private readonly m: Module,
    private readonly model: NodeLlamaCpp.LlamaModel,
    private readonly sequence: NodeLlamaCpp.LlamaContextSequence,
    /** Generations running on this sequence's context. */
    private readonly generating: { count: number },
    private readonly withLock?: WithLock,
  ) {}

  get cachedTokens(): readonly number[] {
    return this.sequence.contextTokens;
  }

  async generate(prompt: number[], options: GenerateOptions, signal: AbortSignal): Promise<SequenceGeneration> {
    const seq = this.sequence;
    // Keep the cached prefix, but always evaluate at least the last prompt token to get fresh logits.
    const reused = Math.min(commonPrefixLength(seq.contextTokens, prompt), prompt.length - 1);
    if (reused < seq.contextTokens.length) {
      await seq.eraseContextTokenRanges([{ start: reused, end: seq.contextTokens.length }]);
    }
    // Evaluate the new part of the prompt in chunks, so a client that leaves mid-prompt frees the sequence quickly.
    for (let start = reused; start < prompt.length - 1; start += PROMPT_CHUNK) {
      if (signal.aborted) throw abortError(signal);
      await seq.evaluateWithoutGeneratingNewTokens(prompt.slice(start, Math.min(start + PROMPT_CHUNK, prompt.length - 1)) as NodeLlamaCpp.Token[]);
    }
    if (signal.aborted) throw abortError(signal);
    return { reusedTokens: reused, tokens: this.sample(prompt[prompt.length - 1], options) };
  }

  private async *sample(lastPromptToken: number, options: GenerateOptions): AsyncGenerator<GeneratedToken, void, void> {
    const generated: number[] = [];
    const evaluate = this.evaluateOptions(options, generated);
    const top = options.logprobs?.top ?? 0;
    const metadata: TokenLoopOptions['metadata'] = options.logprobs ? { confidence: true, probabilities: top > 0 } : undefined;
    this.generating.count++;
    try {
      for await (const output of this.tokens(lastPromptToken, evaluate, metadata)) {
        generated.push(output.token);
        if (!metadata) yield { token: output.token };
        else yield { token: output.token, logprob: Math.log(output.confidence!), top: output.probabilities && topEntries(output.probabilities, top) };
      }
    } finally {
      this.generating.count--;
    }
  }

  /** Our token loop (a stream alone skips the batch dispatcher), or node-llama-cpp's own. */
  private tokens(first: number, evaluate: NodeLlamaCpp.SequenceEvaluateOptions, metadata: TokenLoopOptions['metadata']): AsyncIterable<LoopToken> {
    if (this.withLock && tokenLoopSupported(this.sequence)) {
      return tokenLoop(this.sequence, first, { evaluate, metadata, withLock: this.withLock, alone: () => this.generating.count === 1 });
    }
    // With no metadata asked for, this is what node-llama-cpp's `evaluate` runs (yielding `{ token }`).
    return this.sequence.evaluateWithMetadata([first as NodeLlamaCpp.Token], metadata ?? {}, evaluate);
  }

  private evaluateOptions(options: GenerateOptions, generated: number[]): NodeLlamaCpp.SequenceEvaluateOptions {
    const { sampling, grammar, logitBias } = options;
    const penalize = Boolean(sampling.presencePenalty || sampling.frequencyPenalty);
    let tokenBias: NodeLlamaCpp.TokenBias | undefined;
    if (logitBias && Object.keys(logitBias).length > 0) {
      tokenBias = new this.m.TokenBias(this.model.tokenizer);
      for (const [token, bias] of Object.entries(logitBias)) tokenBias.set(Number(token) as NodeLlamaCpp.Token, { logit: bias });
    }
    return {
      temperature: sampling.temperature,
      topK: sampling.topK,
      topP: sampling.topP,
      minP: sampling.minP,
      // node-llama-cpp's default seed is the current second: unseeded generations started in the same
      // second (the choices of one request) would all draw the same numbers.
      seed: sampling.seed ?? randomInt(2 ** 32),
      yieldEogToken: true,
      tokenBias,
      grammarEvaluationState: grammar
        ? new this.m.LlamaGrammarEvaluationState({ model: this.model, grammar: (grammar as NodeLlamaCppGrammar).grammar })
        : undefined,
      repeatPenalty: penalize
        ? {
            punishTokens: () => generated.slice(-MAX_PUNISH_TOKENS) as NodeLlamaCpp.Token[],
            maxPunishTokens: MAX_PUNISH_TOKENS,
            penalty: 1,
            presencePenalty: sampling.presencePenalty,
            frequencyPenalty: sampling.frequencyPenalty,
          }
        : undefined,
    };
  }
}

/** The `count` likeliest tokens of a distribution, as log probabilities. */
function topEntries(probabilities: Map<number, number>, count: number): { token: number; logprob: number }[] {
  return [...probabilities]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([token, p]) => ({ token, logprob: Math.log(p) }));
}

function toChatHistory(turns: ChatTurn[]): NodeLlamaCpp.ChatHistoryItem[] {
  const results = new Map(turns.filter((t) => t.role === 'tool').map((t) => [t.toolCallId, t.text]));
  const history: NodeLlamaCpp.ChatHistoryItem[] = [];
  for (const turn of turns) {
    if (turn.role === 'system') history.push({ type: 'system', text: turn.text });
    else if (turn.role === 'user') history.push({ type: 'user', text: turn.text });
    else if (turn.role === 'assistant') {
      const response: NodeLlamaCpp.ChatModelResponse['response'] = [];
      if (turn.reasoning) response.push({ type: 'segment', segmentType: 'thought', text: turn.reasoning, ended: true });
      if (turn.text) response.push(turn.text);
      for (const call of turn.toolCalls ?? []) {
        response.push({ type: 'functionCall', name: call.name, params: parseArguments(call.arguments), result: results.get(call.id) ?? '' });
      }
      history.push({ type: 'model', response });
    }
    // tool turns are rendered as the results of the calls above
  }
  history.push({ type: 'model', response: [] });
  return history;
}

function parseArguments(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}
