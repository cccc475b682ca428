import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/config/config.schema';
import {
  EngineBackend,
  EngineEmbeddingContext,
  EngineGrammar,
  EngineModel,
  EngineSequence,
  FunctionCallSyntax,
  GeneratedToken,
  GenerateOptions,
  ModelLoadSpec,
  RenderedPrompt,
  SequenceGeneration,
  ThoughtSyntax,
} from '../../src/inference/engine.port';
import { ChatTurn, SamplingOptions } from '../../src/inference/inference.types';
import { createApp } from '../../src/main';

/** Token ids of the fake vocabulary. */
export const T = { HELLO: 1, WORLD: 2, BANG: 3, OPEN: 4, CLOSE: 5, EOG: 9 } as const;
const TEXTS: Record<number, string> = { [T.HELLO]: 'Hello', [T.WORLD]: ' world', [T.BANG]: '!', [T.OPEN]: '<think>', [T.CLOSE]: '</think>', [T.EOG]: '' };

/** A step of a scripted generation: yield a token, throw an error, or wait for a promise. */
export type Step = number | Error | Promise<unknown>;

/**
 * A model whose every generation follows `script`. The prompt is one token per chat turn plus a
 * start and an end token, so a single message renders to 3 prompt tokens.
 */
export class FakeModel implements EngineModel {
  contextLength = 64;
  readonly sizeBytes = 1234;
  script: Step[] = [T.HELLO, T.WORLD, T.BANG, T.EOG];
  /** Scripts for the next generations, one each, before falling back to `script`. */
  nextScripts: Step[][] = [];
  reusedTokens = 1;
  /** Thrown by renderChat, to simulate a failure before any output. */
  renderError?: Error;
  readonly generateCalls: { prompt: number[]; sampling: SamplingOptions }[] = [];
  private readonly sequences: EngineSequence[];

  constructor(readonly sequenceCount: number) {
    this.sequences = Array.from({ length: sequenceCount }, () => this.newSequence());
  }

  tokenize(text: string): number[] {
    return [...text].map(() => T.HELLO);
  }

  readonly vocabularySize = 128;
  readonly embeddingSize = 3;
  /** Token lists the embedding context evaluated, in order. */
  readonly embedCalls: number[][] = [];

  tokenPiece(token: number): string {
    return TEXTS[token] ?? '?';
  }

  /** Adds a start token 100; takes at most 8 tokens; embeds n tokens as [3n, 4n, 0] (unit length: [0.6, 0.8, 0]). */
  async embeddingContext(): Promise<EngineEmbeddingContext> {
    return {
      maxInputTokens: 8,
      withSpecialTokens: (tokens) => [100, ...tokens],
      embed: async (tokens) => {
        this.embedCalls.push([...tokens]);
        return [3 * tokens.length, 4 * tokens.length, 0];
      },
    };
  }

  detokenize(tokens: readonly number[]): string {
    return tokens.map((t) => TEXTS[t] ?? '?').join('');
  }

  isEndOfGeneration(token: number): boolean {
    return token === T.EOG;
  }

  functionCallSyntax(): FunctionCallSyntax {
    const text = (t: string) => ({ text: t, tokens: this.tokenize(t) });
    return { prefix: text('[call: '), paramsPrefix: text('('), suffix: text(')'), triggers: ['[call:'] };
  }

  /** Set by a test to make the model think aloud between tokens OPEN and CLOSE. */
  thoughts?: ThoughtSyntax;

  thoughtSyntax(): ThoughtSyntax | undefined {
    return this.thoughts;
  }

  infillPrompt(): number[] | undefined {
    return undefined;
  }

  async createGrammar(): Promise<EngineGrammar> {
    return { kind: 'grammar' };
  }

  /** The turns of each renderChat call. */
  readonly renderedTurns: ChatTurn[][] = [];

  renderChat(turns: ChatTurn[]): RenderedPrompt {
    if (this.renderError) throw this.renderError;
    this.renderedTurns.push(turns);
    return { tokens: [100, ...turns.map(() => 101), 102], stopTexts: [], stopTokens: [] };
  }

  sequence(index: number): EngineSequence {
    return this.sequences[index];
  }

  onDispose?: () => void;

  async dispose(): Promise<void> {
    this.onDispose?.();
  }

  private newSequence(): EngineSequence {
    const model = this;
    return {
      cachedTokens: [],
      async generate(prompt: number[], options: GenerateOptions): Promise<SequenceGeneration> {
        model.generateCalls.push({ prompt, sampling: options.sampling });
        const script = [...(model.nextScripts.shift() ?? model.script)];
        async function* tokens(): AsyncGenerator<GeneratedToken, void, void> {
          for (const step of script) {
            if (step instanceof Error) throw step;
            if (typeof step === 'number') yield { token: step, logprob: -0.5, top: [{ token: step, logprob: -0.5 }] };
            else await step;
          }
        }
        return { reusedTokens: model.reusedTokens, tokens: tokens() };
      },
    };
  }
}

/** An EngineBackend whose loadModel resolves when the test says so (at once by default). */
export class FakeBackend implements EngineBackend {
  readonly models: FakeModel[] = [];
  private loaded?: () => void;
  private readonly gate: Promise<void>;

  readonly loads: string[] = [];
  readonly disposed: string[] = [];

  constructor(private readonly options: { holdLoading?: boolean; failLoading?: string; failIds?: string[]; modelBytes?: number; availableBytes?: number } = {}) {
    this.gate = options.holdLoading ? new Promise((resolve) => (this.loaded = resolve)) : Promise.resolve();
  }

  /** Lets a held loadModel finish. */
  finishLoading(): void {
    this.loaded?.();
  }

  get model(): FakeModel {
    return this.models[0];
  }

  async estimateMemory(): Promise<number> {
    return this.options.modelBytes ?? 1000;
  }

  async availableMemory(): Promise<number> {
    return this.options.availableBytes ?? Number.MAX_SAFE_INTEGER;
  }

  async loadModel(spec: ModelLoadSpec): Promise<EngineModel> {
    const model = new FakeModel(spec.sequences);
    model.onDispose = () => this.disposed.push(spec.id);
    this.models.push(model);
    this.loads.push(spec.id);
    await this.gate;
    if (this.options.failLoading && (this.options.failIds ?? [spec.id]).includes(spec.id)) throw new Error(this.options.failLoading);
    return model;
  }

  async dispose(): Promise<void> {}
}

export const FAKE_MODEL_ID = 'fake-model';

export function fakeConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    insecureNoAuth: false,
    bodyLimit: '1mb',
    maxQueue: 0,
    drainTimeout: 30,
    discovery: { enabled: false },
    dataDir: mkdtempSync(join(tmpdir(), 'llamanest-fake-')),
    modelsDir: '/nonexistent/llamanest/models',
    tls: { selfSigned: false },
    cors: { origins: [] },
    network: { allow: [] },
    auth: { keys: [] },
    models: [{ id: FAKE_MODEL_ID, path: '/nonexistent/fake.gguf', parallel: 1, gpuLayers: 'auto', aliases: ['fake-alias'] }],
    preload: true,
    idleTimeout: 0,
    metrics: true,
    logFormat: 'json',
    logLevel: 'silent',
    ...overrides,
  };
}

/** The real Nest application (guard, pipe, filter, SSE) over a fake engine, listening on a free loopback port. */
export class FakeServer {
  private constructor(
    readonly app: INestApplication,
    readonly backend: FakeBackend,
    readonly baseUrl: string,
  ) {}

  static async start(config = fakeConfig(), backend = new FakeBackend()): Promise<FakeServer> {
    const app = await createApp(config, AppModule.forRoot(config, { useValue: backend }));
    app.useLogger(false);
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    return new FakeServer(app, backend, `http://127.0.0.1:${address.port}`);
  }

  fetch(path: string, init?: RequestInit): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, init);
  }

  post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  }

  close(): Promise<void> {
    return this.app.close();
  }
}
