import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { resolve } from 'node:path';

/** The native hook of src/native/cpu-threadpool (see its C source for how it works). */
export interface CpuThreadpool {
  /** Before contexts are created: `enabled` false stops new pools; `poll` is ggml's polling level (0–100). */
  configure(options: { enabled?: boolean; poll?: number }): void;
  stats(): { livePools: number; poolsCreated: number };
}

/**
 * ggml's polling level for the pool's idle workers: how long (0–100) they spin for the next graph before
 * they sleep. 50 is llama-server's default and measured best through our HTTP API on 2 cores
 * (`npm run bench -- --compare`, decode vs llama-server: poll 0 0.46–0.47×, poll 50 0.72–0.77×): a
 * sleeping worker is woken for every token, which costs more than the spinning takes from the event loop.
 */
const POLL = 50;

/** Built by `npm install` (the `prepare` script runs src/native/cpu-threadpool/build.sh); same path from src/ and dist/. */
const ADDON = resolve(__dirname, '../../src/native/cpu-threadpool/build/Release/cpu_threadpool.node');

let hook: CpuThreadpool | undefined;

/**
 * Loads the hook into the process's global symbol scope, which must happen before node-llama-cpp
 * loads its addon: only then does the dynamic linker bind llama.cpp's lookups to the hook. Linux
 * only (macOS's two-level namespaces do not interpose this way, and Metal does not need it). Without
 * the built addon the engine still runs, with ggml's per-graph threads.
 */
export function loadCpuThreadpool(enabled: boolean): CpuThreadpool | undefined {
  if (process.platform !== 'linux') return undefined;
  if (!hook && enabled && existsSync(ADDON)) {
    try {
      const module = { exports: {} as CpuThreadpool };
      process.dlopen(module, ADDON, constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL);
      hook = module.exports;
    } catch {
      return undefined;
    }
  }
  hook?.configure({ enabled, poll: POLL });
  return enabled ? hook : undefined;
}
