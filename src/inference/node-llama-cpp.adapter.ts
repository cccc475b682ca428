import { Injectable } from '@nestjs/common';
import type * as NodeLlamaCpp from 'node-llama-cpp' with { 'resolution-mode': 'import' };
import { cpus } from 'node:os';
import { commonPrefixLength, EngineBackend, EngineModel, EngineSequence, ModelLoadSpec, RenderedPrompt, SequenceGeneration } from './engine.port';
import { GenerationAbortedError } from './inference.errors';
import { ChatTurn, SamplingOptions } from './inference.types';

type Module = typeof NodeLlamaCpp;

/** node-llama-cpp is ESM-only; TypeScript keeps this `import()` as a real dynamic import in our CommonJS build. */
let modulePromise: Promise<Module> | undefined;
function loadModule(): Promise<Module> {
  modulePromise ??= import('node-llama-cpp');
  return modulePromise;
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
  private llama?: Promise<NodeLlamaCpp.Llama>;

  private getLlama(): Promise<NodeLlamaCpp.Llama> {
    // gpu "auto": Metal on Apple silicon, CUDA/Vulkan where present, otherwise the CPU.
    this.llama ??= loadModule().then((m) => m.getLlama({ gpu: 'auto', logLevel: m.LlamaLogLevel.error }));
    return this.llama;
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
    try {
      const context = await model.createContext({
        sequences: spec.sequences,
        contextSize: spec.contextSize ?? { max: Math.min(model.trainContextSize, DEFAULT_MAX_CONTEXT) },
        threads: spec.threads ?? defaultThreads(llama),
        createSignal: spec.signal,
      });
      return new NodeLlamaCppModel(m, model, context);
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
 * On CPU the math threads compete with Node's event loop, which must hand every token over;
 * leaving it one core is much faster than using them all. GPUs keep node-llama-cpp's default.
 */
function defaultThreads(llama: NodeLlamaCpp.Llama): number | undefined {
  if (llama.gpu !== false) return undefined;
  return Math.max(1, Math.min(llama.cpuMathCores, cpus().length) - 1);
}

class NodeLlamaCppModel implements EngineModel {
  private readonly chatWrapper: NodeLlamaCpp.ChatWrapper;
  private readonly sequences: NodeLlamaCppSequence[];

  constructor(
    private readonly m: Module,
    private readonly model: NodeLlamaCpp.LlamaModel,
    private readonly context: NodeLlamaCpp.LlamaContext,
  ) {
    // The GGUF's own chat template when it has one, otherwise a sensible general format.
    this.chatWrapper = m.resolveChatWrapper(model);
    this.sequences = Array.from({ length: context.totalSequences }, () => new NodeLlamaCppSequence(context.getSequence()));
  }

  get contextLength(): number {
    return this.context.contextSize;
  }

  get sequenceCount(): number {
    return this.sequences.length;
  }

  get sizeBytes(): number {
    return this.model.size;
  }

  tokenize(text: string): number[] {
    return this.model.tokenize(text) as number[];
  }

  detokenize(tokens: readonly number[], previous?: readonly number[]): string {
    return this.model.detokenize(tokens as NodeLlamaCpp.Token[], false, previous as NodeLlamaCpp.Token[] | undefined);
  }

  isEndOfGeneration(token: number): boolean {
    return this.model.isEogToken(token as NodeLlamaCpp.Token);
  }

  renderChat(turns: ChatTurn[]): RenderedPrompt {
    const state = this.chatWrapper.generateContextState({ chatHistory: toChatHistory(turns) });
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
    await this.context.dispose();
    await this.model.dispose();
  }
}

class NodeLlamaCppSequence implements EngineSequence {
  constructor(private readonly sequence: NodeLlamaCpp.LlamaContextSequence) {}

  get cachedTokens(): readonly number[] {
    return this.sequence.contextTokens;
  }

  async generate(prompt: number[], sampling: SamplingOptions, signal: AbortSignal): Promise<SequenceGeneration> {
    const seq = this.sequence;
    // Keep the cached prefix, but always evaluate at least the last prompt token to get fresh logits.
    const reused = Math.min(commonPrefixLength(seq.contextTokens, prompt), prompt.length - 1);
    if (reused < seq.contextTokens.length) {
      await seq.eraseContextTokenRanges([{ start: reused, end: seq.contextTokens.length }]);
    }
    // Evaluate the new part of the prompt in chunks, so a client that leaves mid-prompt frees the sequence quickly.
    for (let start = reused; start < prompt.length - 1; start += PROMPT_CHUNK) {
      if (signal.aborted) throw new GenerationAbortedError();
      await seq.evaluateWithoutGeneratingNewTokens(prompt.slice(start, Math.min(start + PROMPT_CHUNK, prompt.length - 1)) as NodeLlamaCpp.Token[]);
    }
    if (signal.aborted) throw new GenerationAbortedError();
    return { reusedTokens: reused, tokens: this.sample(prompt[prompt.length - 1], sampling) };
  }

  private async *sample(lastPromptToken: number, sampling: SamplingOptions): AsyncGenerator<number, void, void> {
    const generated: number[] = [];
    const penalize = Boolean(sampling.presencePenalty || sampling.frequencyPenalty);
    const tokens = this.sequence.evaluate([lastPromptToken as NodeLlamaCpp.Token], {
      temperature: sampling.temperature,
      topK: sampling.topK,
      topP: sampling.topP,
      minP: sampling.minP,
      seed: sampling.seed,
      yieldEogToken: true,
      repeatPenalty: penalize
        ? {
            punishTokens: () => generated.slice(-MAX_PUNISH_TOKENS) as NodeLlamaCpp.Token[],
            maxPunishTokens: MAX_PUNISH_TOKENS,
            penalty: 1,
            presencePenalty: sampling.presencePenalty,
            frequencyPenalty: sampling.frequencyPenalty,
          }
        : undefined,
    });
    for await (const token of tokens) {
      generated.push(token);
      yield token;
    }
  }
}

function toChatHistory(turns: ChatTurn[]): NodeLlamaCpp.ChatHistoryItem[] {
  const results = new Map(turns.filter((t) => t.role === 'tool').map((t) => [t.toolCallId, t.text]));
  const history: NodeLlamaCpp.ChatHistoryItem[] = [];
  for (const turn of turns) {
    if (turn.role === 'system') history.push({ type: 'system', text: turn.text });
    else if (turn.role === 'user') history.push({ type: 'user', text: turn.text });
    else if (turn.role === 'assistant') {
      const response: NodeLlamaCpp.ChatModelResponse['response'] = turn.text ? [turn.text] : [];
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
