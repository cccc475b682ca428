import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_GREETING } from '../demo-model/demo-model';
import { ensureDemoModel } from '../demo-model/demo-model.file';
import { loadCpuThreadpool } from './cpu-threadpool';
import { NodeLlamaCppBackend } from './node-llama-cpp.adapter';

const linux = process.platform === 'linux';

/** Loads the demo model with two compute threads, answers "Hi" greedily, unloads; returns the text and the pool counts meanwhile. */
async function greet(backend: NodeLlamaCppBackend, dir: string) {
  const model = await backend.loadModel({ id: 'demo', source: ensureDemoModel(dir), downloadDir: dir, sequences: 1, gpuLayers: 'auto', threads: 2 });
  try {
    const generation = await model.sequence(0).generate(model.renderChat([{ role: 'user', text: 'Hi' }]).tokens, { sampling: { temperature: 0 } }, new AbortController().signal);
    const tokens: number[] = [];
    for await (const { token } of generation.tokens) {
      if (model.isEndOfGeneration(token)) break;
      tokens.push(token);
    }
    return { text: model.detokenize(tokens), during: loadCpuThreadpool(true)?.stats() };
  } finally {
    await model.dispose();
  }
}

(linux ? describe : describe.skip)('CPU threadpool hook (Linux)', () => {
  let dir: string;
  let backend: NodeLlamaCppBackend;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'llamanest-threadpool-'));
  });

  afterAll(async () => {
    loadCpuThreadpool(true);
    await backend?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is built by npm install and loads', () => {
    expect(loadCpuThreadpool(true)?.stats()).toEqual({ livePools: expect.any(Number), poolsCreated: expect.any(Number) });
  });

  it('gives a CPU context one persistent pool while it lives, frees it with the context, and the answer is unchanged', async () => {
    backend = new NodeLlamaCppBackend({ cpuThreadpool: true });
    const before = loadCpuThreadpool(true)!.stats();
    const { text, during } = await greet(backend, dir);
    expect(text).toBe(DEMO_GREETING);
    expect(during!.poolsCreated).toBe(before.poolsCreated + 1);
    expect(during!.livePools).toBe(before.livePools + 1);
    expect(loadCpuThreadpool(true)!.stats().livePools).toBe(before.livePools);
  });

  it('creates no pool when turned off (cpuThreadpool: false), and still answers the same', async () => {
    const off = new NodeLlamaCppBackend({ cpuThreadpool: false });
    const before = loadCpuThreadpool(true)!.stats();
    loadCpuThreadpool(false);
    try {
      const { text } = await greet(off, dir);
      expect(text).toBe(DEMO_GREETING);
      expect(loadCpuThreadpool(true)!.stats().poolsCreated).toBe(before.poolsCreated);
    } finally {
      await off.dispose();
    }
  });
});
