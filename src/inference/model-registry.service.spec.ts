import { Logger } from '@nestjs/common';
import { FakeBackend, fakeConfig } from '../../test/support/fake-engine';
import { AppConfig, ModelConfig } from '../config/config.schema';
import { InsufficientMemoryError, ModelCapacityError, ModelInUseError, ModelLoadError } from './inference.errors';
import { ModelRegistry } from './model-registry.service';

const model = (id: string, extra: Partial<ModelConfig> = {}): ModelConfig => ({ id, path: `/models/${id}.gguf`, parallel: 1, gpuLayers: 'auto', aliases: [], ...extra });

function registry(overrides: Partial<AppConfig>, backend = new FakeBackend()) {
  const config = fakeConfig({ preload: false, models: [model('a'), model('b'), model('c')], ...overrides });
  const reg = new ModelRegistry(config, backend);
  reg.onModuleInit();
  return { reg, backend };
}

const loaded = (reg: ModelRegistry) => reg.list().filter((m) => m.loaded).map((m) => m.id);

describe('ModelRegistry lifecycle', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => jest.useRealTimers());

  it('loads a model on first use, once for concurrent first requests', async () => {
    const { reg, backend } = registry({});
    expect(loaded(reg)).toEqual([]);
    const leases = await Promise.all([reg.acquire('a'), reg.acquire('a'), reg.acquire('a')]);
    expect(backend.loads).toEqual(['a']);
    expect(new Set(leases.map((l) => l.engine)).size).toBe(1);
    expect(loaded(reg)).toEqual(['a']);
  });

  it('loads models with preload at boot', async () => {
    const backend = new FakeBackend();
    const reg = new ModelRegistry(fakeConfig({ preload: false, models: [model('a', { preload: true }), model('b')] }), backend);
    reg.onModuleInit();
    expect(reg.readiness).toBe('loading');
    await new Promise((r) => setImmediate(r));
    expect(backend.loads).toEqual(['a']);
    expect(reg.readiness).toBe('ready');
  });

  it('with maxLoadedModels evicts the least recently used idle model', async () => {
    const { reg, backend } = registry({ maxLoadedModels: 2 });
    (await reg.acquire('a')).release();
    (await reg.acquire('b')).release();
    (await reg.acquire('a')).release(); // a is now more recent than b
    (await reg.acquire('c')).release();
    expect(backend.disposed).toEqual(['b']);
    expect(loaded(reg).sort()).toEqual(['a', 'c']);
  });

  it('never evicts a model with requests in flight; refuses with ModelCapacityError instead', async () => {
    const { reg, backend } = registry({ maxLoadedModels: 1 });
    const held = await reg.acquire('a');
    await expect(reg.acquire('b')).rejects.toBeInstanceOf(ModelCapacityError);
    expect(loaded(reg)).toEqual(['a']);
    held.release();
    (await reg.acquire('b')).release();
    expect(backend.disposed).toEqual(['a']);
    expect(loaded(reg)).toEqual(['b']);
  });

  it('keeps the memory budget by evicting idle models, and refuses a model larger than the budget', async () => {
    const { reg, backend } = registry({ memoryBudget: 2500 }, new FakeBackend({ modelBytes: 1000 }));
    (await reg.acquire('a')).release();
    (await reg.acquire('b')).release();
    (await reg.acquire('c')).release();
    expect(backend.disposed).toEqual(['a']);

    const small = registry({ memoryBudget: 999 }, new FakeBackend({ modelBytes: 1000 }));
    const refused = await small.reg.acquire('a').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InsufficientMemoryError);
    expect((refused as Error).message).toMatch(/model 'a' cannot be loaded now: it needs about 1 MiB of memory/);
    expect(small.backend.loads).toEqual([]);
    expect(small.reg.describe('a').loadFailed).toBe(false);
  });

  it('refuses a load the system memory cannot hold', async () => {
    const { reg, backend } = registry({}, new FakeBackend({ modelBytes: 1000, availableBytes: 10 }));
    await expect(reg.acquire('a')).rejects.toBeInstanceOf(InsufficientMemoryError);
    expect(backend.loads).toEqual([]);
  });

  it('unloads a model after idleTimeout without requests, never while one is in flight', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const { reg, backend } = registry({ idleTimeout: 60 });
    const held = await reg.acquire('a');
    jest.advanceTimersByTime(120_000);
    expect(loaded(reg)).toEqual(['a']);
    held.release();
    jest.advanceTimersByTime(59_000);
    expect(loaded(reg)).toEqual(['a']);
    (await reg.acquire('a')).release(); // a new request restarts the clock
    jest.advanceTimersByTime(59_000);
    expect(loaded(reg)).toEqual(['a']);
    jest.advanceTimersByTime(1_000);
    await new Promise((r) => setImmediate(r));
    expect(loaded(reg)).toEqual([]);
    expect(backend.disposed).toEqual(['a']);
    (await reg.acquire('a')).release();
    expect(backend.loads).toEqual(['a', 'a']);
  });

  it('a failed load gives ModelLoadError for that model only; an explicit load retries it', async () => {
    const backend = new FakeBackend({ failLoading: 'bad file', failIds: ['b'] });
    const { reg } = registry({}, backend);
    await expect(reg.acquire('b')).rejects.toBeInstanceOf(ModelLoadError);
    await expect(reg.acquire('b')).rejects.toBeInstanceOf(ModelLoadError);
    expect(backend.loads).toEqual(['b']);
    (await reg.acquire('a')).release();
    expect(loaded(reg)).toEqual(['a']);
    await expect(reg.loadModel('b')).rejects.toBeInstanceOf(ModelLoadError);
    expect(backend.loads).toEqual(['b', 'a', 'b']);
  });

  it('unloadModel refuses while requests use the model', async () => {
    const { reg } = registry({});
    const held = await reg.acquire('a');
    await expect(reg.unloadModel('a')).rejects.toBeInstanceOf(ModelInUseError);
    held.release();
    expect((await reg.unloadModel('a')).loaded).toBe(false);
  });
});
