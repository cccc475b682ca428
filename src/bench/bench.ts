#!/usr/bin/env node
import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { modelConfigSchema } from '../config/config.schema';
import { ensureBenchModel } from '../demo-model/demo-model.file';
import { NodeLlamaCppBackend } from '../inference/node-llama-cpp.adapter';
import { CompareSample, compareServers, restartPlan, Side, SIDES } from './compare';
import { compareChart } from './compare-chart';
import { formatComparison, summarizeComparison } from './compare-report';
import { generateInProcess } from './in-process';
import { ensureLlamaServer, startLlamaServer } from './llama-server';
import { measurePromptCache } from './prompt-cache';
import { BenchSamples, formatTable, summarize } from './report';
import { BenchServer, EngineSettings, startServer } from './server';
import { streamChat } from './sse-client';

const CONCURRENCY = [1, 4, 8];
const MODEL_ID = 'bench';
/** The prompt-cache measure is about the time to first token; a short answer is enough. */
const PROMPT_CACHE_TOKENS = 16;

/**
 * A different text for every request, so no request reuses another's KV cache. "Count" makes the
 * demo model count until max_tokens; a real model gets a long answer to write.
 */
const prompt = (tag: string) => `Request ${tag}. Count from one to one thousand in English words, separated by spaces, without stopping.`;

interface Options {
  model?: string;
  tokens: number;
  rounds: number;
  restartEvery: number;
  parallel: number;
  json?: boolean;
  compare?: boolean;
  control?: boolean;
  chart: string;
  threads?: number;
  llamaServerThreads?: number;
  cpuThreadpool: boolean;
  hugePages: boolean;
  inlineWork: boolean;
  soloDecode: boolean;
  offThreadWrites: boolean;
}

/** The engine settings for llamanest's side. */
function engineSettings(opts: Options): EngineSettings {
  return { cpuThreadpool: opts.cpuThreadpool, hugePages: opts.hugePages, inlineWork: opts.inlineWork, soloDecode: opts.soloDecode, offThreadWrites: opts.offThreadWrites };
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

async function bench(opts: Options): Promise<void> {
  if (opts.compare || opts.control) return compare(opts);
  const dir = mkdtempSync(join(tmpdir(), 'llamanest-bench-'));
  const backend = new NodeLlamaCppBackend(engineSettings(opts));
  let server: BenchServer | undefined;
  try {
    const path = opts.model ? resolve(opts.model) : ensureBenchModel(dir);
    // Same load settings as the server: our adapter, default threads and context, same number of sequences.
    const model = await backend.loadModel({ id: MODEL_ID, source: path, downloadDir: dir, sequences: opts.parallel, gpuLayers: 'auto' });
    server = await startServer({ id: MODEL_ID, path, parallel: opts.parallel }, dir, engineSettings(opts));
    const { baseUrl } = server;
    const inProcess = (tag: string) => generateInProcess(model, prompt(tag), opts.tokens);
    const http = (tag: string) => streamChat(baseUrl, MODEL_ID, prompt(tag), opts.tokens);
    const concurrent = async (streams: number, tag: string) => {
      const started = performance.now();
      const runs = await Promise.all(Array.from({ length: streams }, (_, i) => http(`${tag}.${i}`)));
      return (runs.reduce((sum, run) => sum + run.tokens, 0) * 1000) / (performance.now() - started);
    };

    await inProcess('warm-up');
    await concurrent(Math.max(...CONCURRENCY), 'warm-up');
    const samples: BenchSamples = { inProcess: [], http: [], aggregate: new Map(CONCURRENCY.map((c) => [c, []])), promptCache: [] };
    for (let round = 1; round <= opts.rounds; round++) {
      process.stderr.write(`round ${round}/${opts.rounds}\n`);
      samples.inProcess.push(await inProcess(`${round}`));
      const single = await http(`${round}`);
      samples.http.push(single);
      for (const streams of CONCURRENCY) {
        const value = streams === 1 ? (single.tokens * 1000) / single.totalMs : await concurrent(streams, `${round}`);
        samples.aggregate.get(streams)!.push(value);
      }
      samples.promptCache.push(await measurePromptCache(baseUrl, MODEL_ID, `${round}`, PROMPT_CACHE_TOKENS));
    }

    const setup = { model: basename(path), maxTokens: opts.tokens, rounds: opts.rounds, sequences: opts.parallel, cpus: cpus().length };
    const results = summarize(setup, samples);
    process.stdout.write(`${opts.json ? JSON.stringify(results, null, 2) : formatTable(results)}\n`);
    await model.dispose();
  } finally {
    await server?.stop();
    await backend.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * llamanest against llama.cpp's own server on the same GGUF and the same cores: llama-server gets
 * every core for its compute threads (its default), llamanest its automatic settings.
 */
async function compare(opts: Options): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'llamanest-bench-'));
  const running = new Set<BenchServer>();
  try {
    const binary = await ensureLlamaServer();
    const path = opts.model ? resolve(opts.model) : ensureBenchModel(dir);
    const threads = opts.llamaServerThreads ?? cpus().length;
    const contextPerSlot = 4096;
    const llamaServer = () => startLlamaServer({ binary, model: path, threads, parallel: opts.parallel, contextPerSlot });
    const start: Record<Side, () => Promise<BenchServer>> = {
      'llama-server': llamaServer,
      llamanest: () =>
        opts.control ? llamaServer() : startServer({ id: MODEL_ID, path, parallel: opts.parallel, contextSize: contextPerSlot, threads: opts.threads }, dir, engineSettings(opts)),
    };
    const samples: Record<Side, CompareSample[]> = { 'llama-server': [], llamanest: [] };
    for (const part of restartPlan(opts.rounds, opts.restartEvery)) {
      const servers = {} as Record<Side, BenchServer>;
      for (const side of part.first === 'llama-server' ? SIDES : [...SIDES].reverse()) {
        servers[side] = await start[side]();
        running.add(servers[side]);
      }
      const partSamples = await compareServers(
        SIDES.map((side) => ({ side, server: servers[side] })),
        { model: MODEL_ID, tokens: opts.tokens, rounds: part.rounds, firstRound: part.firstRound, totalRounds: opts.rounds },
      );
      for (const side of SIDES) {
        samples[side].push(...partSamples[side]);
        await servers[side].stop();
        running.delete(servers[side]);
      }
    }
    const setup = {
      model: basename(path),
      maxTokens: opts.tokens,
      rounds: opts.rounds,
      restartEvery: opts.restartEvery,
      sequences: opts.parallel,
      cpus: cpus().length,
      llamaServerThreads: threads,
      control: opts.control,
      llamanestThreads: `${opts.threads === undefined ? 'automatic' : opts.threads}${opts.cpuThreadpool ? '' : ', no CPU threadpool'}${opts.hugePages ? '' : ', no huge pages'}${opts.inlineWork ? '' : ', no inline work'}${opts.soloDecode ? '' : ', no solo decode'}${opts.offThreadWrites ? '' : ', no off-thread writes'}`,
    };
    const results = summarizeComparison(setup, samples);
    process.stdout.write(`${opts.json ? JSON.stringify({ ...results, samples }, null, 2) : formatComparison(results)}\n`);
    // A control run is no chart of llamanest's (and must not replace the README's).
    if (opts.control) return;
    mkdirSync(dirname(resolve(opts.chart)), { recursive: true });
    writeFileSync(opts.chart, compareChart(results));
    process.stderr.write(`chart written to ${opts.chart}\n`);
  } finally {
    for (const server of running) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

new Command()
  .name('bench')
  .description(
    'decode speed of node-llama-cpp in-process vs. the llamanest HTTP streaming API, measured alternately; ' +
      'time to first token of a cold conversation vs. its second turn (prompt cache); ' +
      "with --compare: llamanest vs llama.cpp's own llama-server on the same model",
  )
  .option('--model <path>', 'GGUF file to benchmark (default: the generated ~64 M-parameter bench model)')
  .option('--tokens <n>', 'max_tokens per request', positive, 256)
  .option('--rounds <n>', 'measurement rounds (medians are reported)', positive, 5)
  .option('--restart-every <n>', 'with --compare: start both servers afresh every n rounds, the one started first alternating', positive, 3)
  .option('--parallel <n>', 'context sequences, as the server config "parallel"', positive, modelConfigSchema.parse({ path: '-' }).parallel)
  .option('--json', 'print the results as JSON')
  .option('--compare', "compare with llama.cpp's llama-server (built once into .cache/) on the same model, alternately")
  .option('--control', "A/A control for --compare: a second llama-server in llamanest's place, so the ratios show the machine's own noise (no chart)")
  .option('--threads <n>', 'with --compare: compute threads for llamanest (default: its automatic choice)', positive)
  .option('--llama-server-threads <n>', 'with --compare: -t/-tb for llama-server (default: one per core)', positive)
  .option('--no-cpu-threadpool', 'llamanest without its persistent CPU threadpool (config cpuThreadpool: false), to measure what it brings')
  .option('--no-huge-pages', 'llamanest with ggml\'s CPU buffers on ordinary pages (config hugePages: false), to measure what huge pages bring')
  .option('--no-inline-work', 'llamanest with every decode and sampling job on worker threads (config inlineWork: false), to measure what inline work brings')
  .option('--no-solo-decode', "llamanest with every token through node-llama-cpp's batch dispatcher (config soloDecode: false), to measure what solo decoding brings")
  .option('--no-off-thread-writes', 'llamanest writing streamed events on the event-loop thread (config offThreadWrites: false), to measure what off-thread writes bring')
  .option('--chart <file>', 'with --compare: where to write the SVG chart', 'docs/bench-compare.svg')
  .action(bench)
  .parseAsync()
  .catch((error: unknown) => {
    process.stderr.write(`bench: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  });
