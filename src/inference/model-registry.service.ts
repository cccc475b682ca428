import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig, ModelConfig } from '../config/config.schema';
import { ENGINE_BACKEND, EngineBackend, EngineModel } from './engine.port';
import { ModelLoadError, ModelNotFoundError } from './inference.errors';
import { ModelInfo } from './inference.types';
import { ModelCapability, modelCapabilities } from './model-capabilities';
import { ModelCapabilityError } from './request.errors';
import { SequencePool } from './sequence-pool';

export interface LoadedModel {
  engine: EngineModel;
  pool: SequencePool;
}

interface ModelEntry {
  config: ModelConfig;
  created: number;
  loaded?: LoadedModel;
  loading?: Promise<LoadedModel>;
  failure?: string;
}

/** Knows the configured models by id and alias, loads them at boot and hands out loaded ones. */
@Injectable()
export class ModelRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ModelRegistry.name);
  private readonly entries = new Map<string, ModelEntry>();
  private readonly byName = new Map<string, ModelEntry>();
  private readonly abort = new AbortController();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ENGINE_BACKEND) private readonly backend: EngineBackend,
  ) {
    const created = Math.floor(Date.now() / 1000);
    for (const model of config.models) {
      const entry: ModelEntry = { config: model, created };
      this.entries.set(model.id, entry);
      for (const name of [model.id, ...model.aliases]) this.byName.set(name, entry);
    }
  }

  /** Starts loading every model without blocking the HTTP server from listening. */
  onModuleInit(): void {
    for (const entry of this.entries.values()) this.load(entry).catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.entries.values()].map(async (e) => (await e.loading)?.engine.dispose()));
    await this.backend.dispose();
  }

  /** `ok` when every model is loaded, `loading` while any still loads, `error` when one failed to load. */
  get status(): 'ok' | 'loading' | 'error' {
    const entries = [...this.entries.values()];
    if (entries.some((e) => !e.loaded && !e.failure)) return 'loading';
    return entries.some((e) => e.failure) ? 'error' : 'ok';
  }

  list(): ModelInfo[] {
    return [...this.entries.values()].map((e) => this.info(e));
  }

  describe(name: string): ModelInfo {
    return this.info(this.entry(name));
  }

  /** Resolves an id or alias to its loaded model, waiting for a load still in progress; refuses a model without `capability`. */
  async get(name: string, capability?: ModelCapability): Promise<{ id: string } & LoadedModel> {
    const entry = this.entry(name);
    const capabilities = modelCapabilities(entry.config);
    if (capability && !capabilities.includes(capability)) throw new ModelCapabilityError(entry.config.id, capability, capabilities);
    const loaded = await this.load(entry);
    return { id: entry.config.id, ...loaded };
  }

  private entry(name: string): ModelEntry {
    const entry = this.byName.get(name);
    if (!entry) throw new ModelNotFoundError(name);
    return entry;
  }

  private info(e: ModelEntry): ModelInfo {
    return {
      id: e.config.id,
      aliases: e.config.aliases,
      contextLength: e.loaded?.engine.contextLength ?? e.config.contextSize,
      loaded: Boolean(e.loaded),
      loadFailed: Boolean(e.failure),
      created: e.created,
      capabilities: modelCapabilities(e.config),
    };
  }

  private load(entry: ModelEntry): Promise<LoadedModel> {
    if (entry.failure) return Promise.reject(new ModelLoadError(entry.config.id));
    entry.loading ??= this.loadNow(entry);
    return entry.loading;
  }

  private async loadNow(entry: ModelEntry): Promise<LoadedModel> {
    const { config } = entry;
    const started = Date.now();
    try {
      const engine = await this.backend.loadModel({
        id: config.id,
        source: config.path,
        downloadDir: this.config.modelsDir,
        contextSize: config.contextSize,
        sequences: config.parallel,
        gpuLayers: config.gpuLayers,
        threads: config.threads,
        signal: this.abort.signal,
        embeddingOnly: config.embedding,
      });
      entry.loaded = { engine, pool: new SequencePool(config.id, engine, this.config.maxQueue) };
      this.logger.log(`model ${config.id} loaded in ${Date.now() - started} ms (context ${engine.contextLength} tokens × ${engine.sequenceCount} sequences)`);
      return entry.loaded;
    } catch (error) {
      entry.failure = (error as Error).message;
      this.logger.error(`model ${config.id} failed to load from ${config.path}: ${entry.failure}`);
      throw new ModelLoadError(config.id);
    }
  }
}
