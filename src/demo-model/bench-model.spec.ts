import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineModel } from '../inference/engine.port';
import { NodeLlamaCppBackend } from '../inference/node-llama-cpp.adapter';
import { BenchModelShape, buildBenchModel } from './bench-model';
import { DEMO_FIRST_TEXT_TOKEN } from './demo-model';

/** The bench model's recipe at a size that loads in a moment (the real one is ~64 M parameters). */
const SMALL: BenchModelShape = { layers: 2, width: 64, feedForward: 128, heads: 4, seed: 7 };

describe('buildBenchModel', () => {
  let dir: string;
  let backend: NodeLlamaCppBackend;
  let model: EngineModel;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llamanest-bench-model-'));
    const path = join(dir, 'bench-small.gguf');
    writeFileSync(path, buildBenchModel(SMALL));
    backend = new NodeLlamaCppBackend();
    model = await backend.loadModel({ id: 'bench', source: path, downloadDir: dir, sequences: 1, contextSize: 512, gpuLayers: 'auto' });
  });

  afterAll(async () => {
    await model?.dispose();
    await backend?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the same file for the same seed and a different one for another seed', () => {
    expect(buildBenchModel(SMALL).equals(buildBenchModel(SMALL))).toBe(true);
    expect(buildBenchModel(SMALL).equals(buildBenchModel({ ...SMALL, seed: 8 }))).toBe(false);
  });

  it('loads in llama.cpp and greedily generates text tokens only, never ending by itself', async () => {
    const prompt = model.renderChat([{ role: 'user', text: 'Tell me a story.' }]);
    const generation = await model.sequence(0).generate(prompt.tokens, { sampling: { temperature: 0 } }, new AbortController().signal);
    const tokens: number[] = [];
    for await (const { token } of generation.tokens) {
      tokens.push(token);
      if (tokens.length >= 64) break;
    }
    expect(tokens).toHaveLength(64);
    expect(tokens.every((t) => t >= DEMO_FIRST_TEXT_TOKEN && !model.isEndOfGeneration(t))).toBe(true);
    expect(new Set(tokens).size).toBeGreaterThan(1);
    expect(model.detokenize(tokens)).not.toContain('\uFFFD');
  });
});
