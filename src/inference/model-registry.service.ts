import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig, ModelConfig } from '../config/config.schema';
import { ENGINE_BACKEND, EngineBackend, EngineModel, ModelLoadSpec } from './engine.port';
import { InsufficientMemoryError, ModelCapacityError, ModelInUseError, ModelLoadError, ModelNotFoundError } from './inference.errors';
import { ModelInfo, ModelRuntimeStats } from './inference.types';
import { ModelCapability, modelCapabilities } from './model-capabilities';
import { ModelCapabilityError } from './request.errors';
import { SequencePool } from './sequence-pool';

export interface LoadedModel {
  engine: EngineModel;
  pool: SequencePool;
}

/** A loaded model handed to one request; `release` tells the registry the request is over. */
export interface ModelLease extends LoadedModel {
  id: string;
  release(): void;
}

interface ModelEntry {
  config: ModelConfig;
  created: number;
  loaded?: LoadedModel;
  loading?: Promise<LoadedModel>;
  unloading?: Promise<void>;
  failure?: string;
  /** Requests holding the model: from admission to their last token, queued ones included. */
  users: number;
  /** Recency stamp of the last acquire or release (a counter: milliseconds can tie). */
  lastUsed: number;
  idleTimer?: NodeJS.Timeout;
  estimatedBytes?: number;
  /** Known once the model has been loaded; kept across unloads. */
  contextLength?: number;
  loadSeconds?: number;
  preloadDone: boolean;
}

/**
 * Knows the configured models by id and alias and manages their lifecycle: loads a model on first
 * use (or at boot with `preload`), once even for concurrent first requests; unloads it after
 * `idleTimeout` without requests; keeps at most `maxLoadedModels` and `memoryBudget` loaded by
 * evicting the least recently used idle model; refuses a load that cannot fit instead of crashing.
 * A model serving or queueing requests is never unloaded.
 */
@Injectable()
export class ModelRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ModelRegistry.name);
  private readonly entries = new Map<string, ModelEntry>();
  private readonly byName = new Map<string, ModelEntry>();
  private readonly abort = new AbortController();
  /** Loads run one at a time, so each one's memory check sees the models loaded before it. */
  private loadChain: Promise<unknown> = Promise.resolve();
  private clock = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ENGINE_BACKEND) private readonly backend: EngineBackend,
  ) {
    const created = Math.floor(Date.now() / 1000);
    for (const model of config.models) {
      const entry: ModelEntry = { config: model, created, users: 0, lastUsed: 0, preloadDone: false };
      this.entries.set(model.id, entry);
      for (const name of [model.id, ...model.aliases]) this.byName.set(name, entry);
    }
  }

  /** Starts loading the preloaded models without blocking the HTTP server from listening. */
  onModuleInit(): void {
    for (const entry of this.entries.values()) {
      if (!this.preloads(entry)) continue;
      this.load(entry).then(
        () => {
          entry.preloadDone = true;
          this.scheduleIdleUnload(entry);
        },
        () => undefined,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.abort.abort();
    for (const entry of this.entries.values()) clearTimeout(entry.idleTimer);
    await Promise.allSettled([...this.entries.values()].map((e) => e.loading));
    await Promise.allSettled([...this.entries.values()].map((e) => e.unloading));
    await Promise.allSettled([...this.entries.values()].map((e) => e.loaded?.engine.dispose()));
    await this.backend.dispose();
  }

  /** `ready` once every preloaded model is loaded, `loading` before, `error` when one of them failed to load. */
  get readiness(): 'ready' | 'loading' | 'error' {
    const preloaded = [...this.entries.values()].filter((e) => this.preloads(e));
    if (preloaded.some((e) => e.failure)) return 'error';
    return preloaded.every((e) => e.preloadDone) ? 'ready' : 'loading';
  }

  list(): ModelInfo[] {
    return [...this.entries.values()].map((e) => this.info(e));
  }

  describe(name: string): ModelInfo {
    return this.info(this.entry(name));
  }

  /** What the metrics report about each model. */
  stats(): ModelRuntimeStats[] {
    return [...this.entries.values()].map((e) => ({
      id: e.config.id,
      loaded: Boolean(e.loaded),
      activeSequences: e.loaded?.pool.active ?? 0,
      queuedRequests: e.loaded?.pool.queued ?? 0,
      loadSeconds: e.loadSeconds,
    }));
  }

  /**
   * Resolves an id or alias to its loaded model, loading it first if needed, and holds it for the
   * caller until `release()`: a held model is never unloaded. Refuses a model without `capability`.
   */
  async acquire(name: string, capability?: ModelCapability): Promise<ModelLease> {
    const entry = this.entry(name);
    const capabilities = modelCapabilities(entry.config);
    if (capability && !capabilities.includes(capability)) throw new ModelCapabilityError(entry.config.id, capability, capabilities);
    entry.users++;
    clearTimeout(entry.idleTimer);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      entry.users--;
      entry.lastUsed = ++this.clock;
      this.scheduleIdleUnload(entry);
    };
    try {
      const loaded = await this.load(entry);
      entry.lastUsed = ++this.clock;
      return { id: entry.config.id, ...loaded, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Runs `work` with the model held (see `acquire`), releasing it afterwards. */
  async using<T>(name: string, capability: ModelCapability | undefined, work: (model: ModelLease) => Promise<T> | T): Promise<T> {
    const model = await this.acquire(name, capability);
    try {
      return await work(model);
    } finally {
      model.release();
    }
  }

  /** Loads a model now (an earlier load failure is forgotten, so a fixed file can be retried). */
  async loadModel(name: string): Promise<ModelInfo> {
    const entry = this.entry(name);
    entry.failure = undefined;
    (await this.acquire(name)).release();
    return this.info(entry);
  }

  /** Unloads a model now, unless requests are using it. */
  async unloadModel(name: string): Promise<ModelInfo> {
    const entry = this.entry(name);
    if (entry.users > 0) throw new ModelInUseError(entry.config.id, entry.users);
    await entry.loading?.catch(() => undefined);
    if (entry.users > 0) throw new ModelInUseError(entry.config.id, entry.users);
    await this.unload(entry, 'on request');
    return this.info(entry);
  }

  private entry(name: string): ModelEntry {
    const entry = this.byName.get(name);
    if (!entry) throw new ModelNotFoundError(name);
    return entry;
  }

  private preloads(entry: ModelEntry): boolean {
    return entry.config.preload ?? this.config.preload;
  }

  private info(e: ModelEntry): ModelInfo {
    return {
      id: e.config.id,
      aliases: e.config.aliases,
      contextLength: e.loaded?.engine.contextLength ?? e.contextLength ?? e.config.contextSize,
      loaded: Boolean(e.loaded),
      preload: this.preloads(e),
      loadFailed: Boolean(e.failure),
      capabilities: modelCapabilities(e.config),
      created: e.created,
    };
  }

  private load(entry: ModelEntry): Promise<LoadedModel> {
    if (entry.loaded) return Promise.resolve(entry.loaded);
    if (entry.failure) return Promise.reject(new ModelLoadError(entry.config.id));
    if (!entry.loading) {
      const run = this.loadChain.then(() => this.loadNow(entry));
      this.loadChain = run.catch(() => undefined);
      entry.loading = run.finally(() => (entry.loading = undefined));
    }
    return entry.loading;
  }

  private async loadNow(entry: ModelEntry): Promise<LoadedModel> {
    const { config } = entry;
    await entry.unloading;
    if (entry.loaded) return entry.loaded;
    const spec = this.spec(config);
    try {
      entry.estimatedBytes ??= await this.backend.estimateMemory(spec);
    } catch (error) {
      throw this.failed(entry, error);
    }
    await this.makeRoom(entry, entry.estimatedBytes);
    const started = Date.now();
    let engine: EngineModel;
    try {
      engine = await this.backend.loadModel(spec);
    } catch (error) {
      throw this.failed(entry, error);
    }
    entry.loaded = { engine, pool: new SequencePool(config.id, engine, this.config.maxQueue) };
    entry.loadSeconds = (Date.now() - started) / 1000;
    entry.contextLength = engine.contextLength;
    this.logger.log(
      `model ${config.id} loaded in ${Math.round(entry.loadSeconds * 1000)} ms ` +
        `(context ${engine.contextLength} tokens × ${engine.sequenceCount} sequences, about ${mib(entry.estimatedBytes)} MiB)`,
    );
    return entry.loaded;
  }

  private failed(entry: ModelEntry, error: unknown): ModelLoadError {
    entry.failure = (error as Error).message;
    this.logger.error(`model ${entry.config.id} failed to load from ${entry.config.path}: ${entry.failure}`);
    return new ModelLoadError(entry.config.id);
  }

  /** Unloads least recently used idle models until `entry` fits the model count, the budget and the free memory. */
  private async makeRoom(entry: ModelEntry, required: number): Promise<void> {
    const id = entry.config.id;
    const { maxLoadedModels: max, memoryBudget: budget } = this.config;
    if (budget !== undefined && required > budget) throw new InsufficientMemoryError(id, required, budget, 'budget');
    for (;;) {
      const resident = [...this.entries.values()].filter((e) => e !== entry && e.loaded);
      const used = resident.reduce((sum, e) => sum + (e.estimatedBytes ?? 0), 0);
      let refusal: Error;
      if (max !== undefined && resident.length >= max) refusal = new ModelCapacityError(id, max, 1);
      else if (budget !== undefined && used + required > budget) refusal = new InsufficientMemoryError(id, required, budget - used, 'budget');
      else {
        const available = await this.backend.availableMemory();
        if (required <= available) return;
        refusal = new InsufficientMemoryError(id, required, available, 'system');
        const reclaimable = resident.filter((e) => e.users === 0).reduce((sum, e) => sum + (e.estimatedBytes ?? 0), 0);
        if (required > available + reclaimable) throw refusal;
      }
      const victim = this.leastRecentlyUsedIdle(entry);
      if (!victim) throw refusal;
      await this.unload(victim, `to make room for ${id}`);
    }
  }

  private leastRecentlyUsedIdle(except: ModelEntry): ModelEntry | undefined {
    return [...this.entries.values()]
      .filter((e) => e !== except && e.loaded && e.users === 0)
      .sort((a, b) => a.lastUsed - b.lastUsed)[0];
  }

  private scheduleIdleUnload(entry: ModelEntry): void {
    clearTimeout(entry.idleTimer);
    const seconds = entry.config.idleTimeout ?? this.config.idleTimeout;
    if (!seconds || entry.users > 0 || !entry.loaded) return;
    entry.idleTimer = setTimeout(() => {
      if (entry.users === 0) this.unload(entry, `after ${seconds} s idle`).catch(() => undefined);
    }, seconds * 1000);
    entry.idleTimer.unref();
  }

  private async unload(entry: ModelEntry, why: string): Promise<void> {
    const loaded = entry.loaded;
    if (!loaded) return;
    entry.loaded = undefined;
    clearTimeout(entry.idleTimer);
    entry.unloading = loaded.engine
      .dispose()
      .catch((error: Error) => this.logger.error(`model ${entry.config.id} failed to unload: ${error.message}`))
      .finally(() => (entry.unloading = undefined));
    await entry.unloading;
    this.logger.log(`model ${entry.config.id} unloaded ${why}`);
  }

  private spec(config: ModelConfig): ModelLoadSpec {
    return {
      id: config.id,
      source: config.path,
      downloadDir: this.config.modelsDir,
      contextSize: config.contextSize,
      sequences: config.parallel,
      gpuLayers: config.gpuLayers,
      threads: config.threads,
      signal: this.abort.signal,
      embeddingOnly: config.embedding,
    };
  }
}

function mib(bytes: number): number {
  return Math.ceil(bytes / 1024 ** 2);
}
