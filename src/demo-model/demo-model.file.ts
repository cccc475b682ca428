import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDemoModel } from './demo-model';

export const DEMO_MODEL_ID = 'llamanest-demo';

/** Writes the demo model into `dir` unless an identical file is already there; returns its path. */
export function ensureDemoModel(dir: string): string {
  const path = join(dir, `${DEMO_MODEL_ID}.gguf`);
  const bytes = buildDemoModel();
  let current: Buffer | undefined;
  try {
    current = readFileSync(path);
  } catch {
    current = undefined;
  }
  if (!current?.equals(bytes)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, bytes);
  }
  return path;
}
