import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { resolve } from 'node:path';

/** The native addon of src/native/engine-hooks (see its C sources for how each hook works). */
interface EngineHooksAddon {
  /** Before contexts are created: `enabled` false stops new pools; `poll` is ggml's polling level (0–100). */
  configure(options: { enabled?: boolean; poll?: number }): void;
  stats(): CpuThreadpoolStats;
  /** Before node-llama-cpp loads: ggml's CPU buffers of 2 MiB or more on transparent huge pages, or not. */
  configureHugePages(enabled: boolean): void;
  /** Bytes of ggml's CPU buffers now mapped for huge pages. */
  hugePageBytes(): number;
  /** After node-llama-cpp has loaded its addon; returns whether small jobs now run inline. */
  attachInlineWork(enabled: boolean, budgetNs?: number): boolean;
  inlineWorkStats(): InlineWorkStats;
  /** A second descriptor (close-on-exec) for the same open file; -1 on failure. */
  dupFd(fd: number): number;
}

export interface CpuThreadpoolStats {
  livePools: number;
  poolsCreated: number;
  /** Graphs llama.cpp computed on the CPU, process-wide: one per ubatch. */
  graphsComputed: number;
}

export interface InlineWorkStats {
  inlinedDecodes: number;
  inlinedSamples: number;
  queuedDecodes: number;
  /** Moving average of a small decode's time per token, which decides whether the next one runs inline. */
  decodeNsPerToken: number;
}

export interface CpuThreadpool {
  stats(): CpuThreadpoolStats;
}

export interface InlineWork {
  stats(): InlineWorkStats;
}

/**
 * ggml's polling level for the pool's idle workers: how long (0–100) they spin for the next graph before
 * they sleep (50 ≈ 150 ms here). With inline work (below) 0 measured best through our HTTP API on 2
 * cores (`npm run bench -- --compare --rounds 3`, decode / 4 streams vs llama-server: poll 0 0.89× /
 * 0.86×, poll 1 0.84× / 0.76×, poll 50 0.82–0.86× / 0.77–0.80×): a worker spinning between tokens
 * holds the core that the event loop's JavaScript and the client would otherwise use, and it burns a
 * core for 150 ms after every request. (Before inline work, with a worker-thread hand-off per token, 50 was better.)
 */
const POLL = 0;

/** Built by `npm install` (the `prepare` script runs src/native/engine-hooks/build.sh); same path from src/ and dist/. */
const ADDON = resolve(__dirname, '../../src/native/engine-hooks/build/Release/engine_hooks.node');

let addon: EngineHooksAddon | undefined;

/**
 * Loads the addon into the process's global symbol scope, which must happen before node-llama-cpp
 * loads its own: only then does the dynamic linker bind llama.cpp's lookups to the threadpool hook.
 * Linux only (macOS's two-level namespaces do not interpose this way, and Metal does not need it).
 */
function load(): EngineHooksAddon | undefined {
  if (process.platform !== 'linux') return undefined;
  if (!addon && existsSync(ADDON)) {
    try {
      const module = { exports: {} as EngineHooksAddon };
      process.dlopen(module, ADDON, constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL);
      addon = module.exports;
    } catch {
      return undefined;
    }
  }
  return addon;
}

/**
 * A persistent ggml threadpool per CPU context (cpu_threadpool.c). Call before node-llama-cpp is
 * imported; `enabled` false keeps ggml's per-graph threads for contexts created from then on. Without
 * the built addon the engine still runs, with ggml's per-graph threads.
 */
export function loadCpuThreadpool(enabled: boolean): CpuThreadpool | undefined {
  const hooks = load();
  hooks?.configure({ enabled, poll: POLL });
  return enabled ? hooks : undefined;
}

/**
 * ggml's CPU buffers of 2 MiB or more (repacked weights, weights loaded without mmap, KV cache, compute
 * buffers) on transparent huge pages (huge_pages.c). Call before node-llama-cpp is imported; applies
 * to buffers allocated from then on. Returns whether the hook is there (Linux, addon built).
 */
export function loadHugePages(enabled: boolean): boolean {
  const hooks = load();
  hooks?.configureHugePages(enabled);
  return hooks !== undefined && enabled;
}

/** Bytes of ggml's CPU buffers now on huge-page mappings (0 without the addon). */
export function hugePageBytes(): number {
  return load()?.hugePageBytes() ?? 0;
}

/**
 * Small decodes and all sampling jobs of node-llama-cpp run on the event-loop thread instead of a
 * libuv worker (inline_work.c). Call once node-llama-cpp's addon is loaded (after getLlama); `enabled`
 * false sends every job to the threadpool again. `budgetMs` (default 20 ms) is the longest a decode
 * is expected to take to run inline. Process-wide: the last call decides.
 */
export function attachInlineWork(enabled: boolean, budgetMs?: number): InlineWork | undefined {
  const hooks = load();
  const active = budgetMs === undefined ? hooks?.attachInlineWork(enabled) : hooks?.attachInlineWork(enabled, Math.round(budgetMs * 1e6));
  if (!hooks || !active) return undefined;
  return { stats: () => hooks.inlineWorkStats() };
}

/**
 * A second descriptor for the open file (socket) `fd`, which the caller must close; undefined without
 * the addon (not Linux, or not built) or when the system refuses.
 */
export function duplicateDescriptor(fd: number): number | undefined {
  const copy = load()?.dupFd(fd) ?? -1;
  return copy >= 0 ? copy : undefined;
}
