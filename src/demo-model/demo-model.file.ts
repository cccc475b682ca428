import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildBenchModel } from './bench-model';
import { buildDemoModel } from './demo-model';

export const DEMO_MODEL_ID = 'llamanest-demo';
export const BENCH_MODEL_ID = 'llamanest-bench';

/** Writes the demo model into `dir` unless an identical file is already there; returns its path. */
export function ensureDemoModel(dir: string): string {
  return ensureModelFile(join(dir, `${DEMO_MODEL_ID}.gguf`), buildDemoModel());
}

/** Writes the (random, seeded, ~64 M-parameter) bench model into `dir` unless an identical file is there. */
export function ensureBenchModel(dir: string): string {
  return ensureModelFile(join(dir, `${BENCH_MODEL_ID}.gguf`), buildBenchModel());
}

function ensureModelFile(path: string, bytes: Buffer): string {
  let current: Buffer | undefined;
  try {
    current = readFileSync(path);
  } catch {
    current = undefined;
  }
  if (!current?.equals(bytes)) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, bytes);
  }
  return path;
}
