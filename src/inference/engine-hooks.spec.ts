import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_GREETING } from '../demo-model/demo-model';
import { ensureDemoModel } from '../demo-model/demo-model.file';
import { EngineModel } from './engine.port';
import { attachInlineWork, hugePageBytes, InlineWorkStats, loadCpuThreadpool, loadHugePages } from './engine-hooks';
import { NodeLlamaCppBackend } from './node-llama-cpp.adapter';

const linux = process.platform === 'linux';

function load(backend: NodeLlamaCppBackend, dir: string, sequences = 1): Promise<EngineModel> {
  return backend.loadModel({ id: 'demo', source: ensureDemoModel(dir), downloadDir: dir, sequences, gpuLayers: 'auto', threads: 2 });
}

/** Answers "Hi" greedily on sequence `index` and returns the text. */
async function answer(model: EngineModel, index = 0): Promise<string> {
  const generation = await model.sequence(index).generate(model.renderChat([{ role: 'user', text: 'Hi' }]).tokens, { sampling: { temperature: 0 } }, new AbortController().signal);
  const tokens: number[] = [];
  for await (const { token } of generation.tokens) {
    if (model.isEndOfGeneration(token)) break;
    tokens.push(token);
  }
  return model.detokenize(tokens);
}

/** What the inline-work counters (process-wide) went up by between two readings. */
function delta(after: InlineWorkStats, before: InlineWorkStats) {
  return {
    inlinedDecodes: after.inlinedDecodes - before.inlinedDecodes,
    inlinedSamples: after.inlinedSamples - before.inlinedSamples,
    queuedDecodes: after.queuedDecodes - before.queuedDecodes,
  };
}

/**
 * Loads the demo model with two compute threads, answers "Hi", unloads; returns the text, the hooks'
 * counters meanwhile and what the answer added to inline work's. `budgetMs` replaces inline work's
 * time budget for a decode (the default 20 ms is not always met on a loaded test machine).
 */
async function greet(backend: NodeLlamaCppBackend, dir: string, budgetMs?: number) {
  const model = await load(backend, dir);
  if (budgetMs !== undefined) attachInlineWork(true, budgetMs);
  try {
    const before = backend.hookStats().inlineWork;
    const text = await answer(model);
    const during = backend.hookStats();
    return { text, during, inline: before && during.inlineWork ? delta(during.inlineWork, before) : undefined };
  } finally {
    await model.dispose();
  }
}

(linux ? describe : describe.skip)('engine hooks (Linux, CPU)', () => {
  let dir: string;
  const backends: NodeLlamaCppBackend[] = [];
  const backend = (settings: { cpuThreadpool: boolean; inlineWork: boolean; hugePages?: boolean }) => {
    backends.push(new NodeLlamaCppBackend(settings));
    return backends[backends.length - 1];
  };
  /** One backend with every hook on, for the tests that need nothing else (each backend adds an exit listener). */
  let withDefaults: NodeLlamaCppBackend | undefined;
  const defaultBackend = () => (withDefaults ??= backend({ cpuThreadpool: true, inlineWork: true }));

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'llamanest-hooks-'));
  });

  afterAll(async () => {
    loadCpuThreadpool(true);
    for (const b of backends) await b.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is built by npm install and loads', () => {
    expect(loadCpuThreadpool(true)?.stats()).toEqual({ livePools: expect.any(Number), poolsCreated: expect.any(Number), graphsComputed: expect.any(Number) });
    expect(hugePageBytes()).toEqual(expect.any(Number));
  });

  describe('CPU threadpool', () => {
    it('gives a CPU context one persistent pool while it lives, frees it with the context, and the answer is unchanged', async () => {
      const before = loadCpuThreadpool(true)!.stats();
      const b = defaultBackend();
      const { text, during } = await greet(b, dir);
      expect(text).toBe(DEMO_GREETING);
      expect(during.cpuThreadpool!.poolsCreated).toBe(before.poolsCreated + 1);
      expect(during.cpuThreadpool!.livePools).toBe(before.livePools + 1);
      expect(b.hookStats().cpuThreadpool!.livePools).toBe(before.livePools);
    });

    it('creates no pool when turned off (cpuThreadpool: false), and still answers the same', async () => {
      const before = loadCpuThreadpool(true)!.stats();
      const { text, during } = await greet(backend({ cpuThreadpool: false, inlineWork: true }), dir);
      expect(text).toBe(DEMO_GREETING);
      expect(during.cpuThreadpool).toBeUndefined();
      expect(loadCpuThreadpool(true)!.stats().poolsCreated).toBe(before.poolsCreated);
    });
  });

  describe('huge pages', () => {
    it("maps ggml's buffers of 2 MiB or more for huge pages while the model is loaded, unmaps them with it, same answer", async () => {
      const before = hugePageBytes();
      const { text, during } = await greet(defaultBackend(), dir);
      expect(text).toBe(DEMO_GREETING);
      // At least the KV cache (2 MiB-multiples each).
      expect(during.hugePageBytes! - before).toBeGreaterThanOrEqual(2 << 20);
      expect((during.hugePageBytes! - before) % (2 << 20)).toBe(0);
      expect(hugePageBytes()).toBe(before);
    });

    it('leaves the buffers to ggml when turned off (hugePages: false), and still answers the same', async () => {
      const before = hugePageBytes();
      const b = backend({ cpuThreadpool: true, inlineWork: true, hugePages: false });
      const model = await load(b, dir);
      try {
        expect(await answer(model)).toBe(DEMO_GREETING);
        expect(hugePageBytes()).toBe(before);
        expect(b.hookStats().hugePageBytes).toBeUndefined();
      } finally {
        await model.dispose();
        // Back on for whatever else this process loads (the switch is process-wide).
        loadHugePages(true);
      }
    });
  });

  describe('inline work', () => {
    it('decodes token by token and samples on the event-loop thread, with the same answer', async () => {
      const { text, during, inline } = await greet(backend({ cpuThreadpool: true, inlineWork: true }), dir, 60_000);
      expect(text).toBe(DEMO_GREETING);
      // One sampling per token of the greeting and its end; every token but the last is decoded next,
      // inline (the very first small decode of the process goes to the threadpool to be measured).
      expect(inline!.inlinedSamples).toBeGreaterThanOrEqual(8);
      expect(inline!.inlinedDecodes).toBeGreaterThanOrEqual(inline!.inlinedSamples - 2);
      expect(during.inlineWork!.decodeNsPerToken).toBeGreaterThan(0);
    });

    it('keeps a decode expected to take longer than the budget on the threadpool, and still samples inline', async () => {
      const { text, inline } = await greet(backend({ cpuThreadpool: true, inlineWork: true }), dir, 0);
      expect(text).toBe(DEMO_GREETING);
      expect(inline!.inlinedDecodes).toBe(0);
      expect(inline!.queuedDecodes).toBeGreaterThanOrEqual(inline!.inlinedSamples - 1);
      expect(inline!.inlinedSamples).toBeGreaterThanOrEqual(8);
    });

    it('batches every ready sequence: four concurrent answers take about as many decodes as one', async () => {
      const b = backend({ cpuThreadpool: true, inlineWork: true });
      const model = await load(b, dir, 4);
      try {
        const before = b.hookStats();
        // Started last sequence first, so the batches are queued in the order 3, 2, 1, 0.
        const texts = await Promise.all([3, 2, 1, 0].map((i) => answer(model, i)));
        const after = b.hookStats();
        const counted = delta(after.inlineWork!, before.inlineWork!);
        expect(texts).toEqual([DEMO_GREETING, DEMO_GREETING, DEMO_GREETING, DEMO_GREETING]);
        const samples = counted.inlinedSamples;
        const decodes = counted.inlinedDecodes + counted.queuedDecodes;
        // Each sampled token but the last is decoded next: with all four in every batch, samples / 4 decodes
        // plus the prompts' (measured: 40 samples, 11 decodes; batches of three would take ~14).
        expect(samples).toBeGreaterThanOrEqual(4 * 8);
        expect(decodes).toBeLessThanOrEqual(samples / 4 + 2);
        // And each batch is one graph: in queued order, llama.cpp would split every one into four.
        const graphs = after.cpuThreadpool!.graphsComputed - before.cpuThreadpool!.graphsComputed;
        expect(graphs).toBeLessThanOrEqual(decodes + 1);
      } finally {
        await model.dispose();
      }
    });

    it('sends every job to the threadpool when turned off (inlineWork: false), with the same answer', async () => {
      // A backend that attached reads the process-wide counters after the other one turned inline work off.
      const on = backend({ cpuThreadpool: true, inlineWork: true });
      await (await load(on, dir)).dispose();
      const before = on.hookStats().inlineWork!;
      const { text, during } = await greet(backend({ cpuThreadpool: true, inlineWork: false }), dir);
      expect(text).toBe(DEMO_GREETING);
      expect(during.inlineWork).toBeUndefined();
      expect(delta(on.hookStats().inlineWork!, before)).toEqual({ inlinedDecodes: 0, inlinedSamples: 0, queuedDecodes: 0 });
      // Turned back on for whatever else this process runs (the switch is process-wide).
      await greet(backend({ cpuThreadpool: true, inlineWork: true }), dir);
    });
  });
});
