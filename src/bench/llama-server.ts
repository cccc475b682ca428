import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BenchServer, freePort, stopChild } from './server';

/** Where the llama.cpp checkout and its build live: an ignored folder of this repository. */
const CACHE = resolve(__dirname, '../../.cache/llama.cpp');
const PACKAGE = resolve(__dirname, '../../node_modules/node-llama-cpp/llama');

/**
 * The `llama-server` of the very llama.cpp that node-llama-cpp runs: its npm package ships that
 * source as a git bundle. Built once (several minutes) into .cache/, then reused. The ggml options
 * follow node-llama-cpp's prebuilt binaries where they matter for speed: no OpenMP (ggml's own
 * thread pool, as in the prebuilt binaries), the CPU's own instruction set (the prebuilt binaries
 * pick the variant built for it at run time).
 */
export async function ensureLlamaServer(): Promise<string> {
  const binary = join(CACHE, 'build/bin/llama-server');
  const release = (JSON.parse(readFileSync(join(PACKAGE, 'llama.cpp.info.json'), 'utf8')) as { tag: string }).tag;
  const stamp = join(CACHE, 'build/llamanest-release');
  if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, 'utf8') === release) return binary;
  process.stderr.write(`building llama-server from node-llama-cpp's llama.cpp (${release}) into ${CACHE}; this takes several minutes\n`);
  if (!existsSync(join(CACHE, '.git'))) await run('git', ['clone', '--quiet', join(PACKAGE, 'gitRelease.bundle'), CACHE]);
  const options = ['-DCMAKE_BUILD_TYPE=Release', '-DLLAMA_CURL=OFF', '-DLLAMA_OPENSSL=OFF', '-DLLAMA_BUILD_TESTS=OFF', '-DLLAMA_BUILD_EXAMPLES=OFF'];
  await run('cmake', ['-S', CACHE, '-B', join(CACHE, 'build'), ...options, '-DBUILD_SHARED_LIBS=OFF', '-DGGML_OPENMP=OFF', '-DGGML_NATIVE=ON']);
  await run('cmake', ['--build', join(CACHE, 'build'), '--target', 'llama-server', `-j${cpus().length}`]);
  writeFileSync(stamp, release);
  return binary;
}

export interface LlamaServerOptions {
  binary: string;
  model: string;
  threads: number;
  parallel: number;
  /** Tokens per slot (llama-server divides `-c` among its slots). */
  contextPerSlot: number;
}

/** Starts `llama-server` on a free loopback port and waits until it answers /health. */
export async function startLlamaServer(opts: LlamaServerOptions): Promise<BenchServer> {
  const port = await freePort();
  const args = ['-m', opts.model, '--host', '127.0.0.1', '--port', String(port), '-t', String(opts.threads), '-tb', String(opts.threads)];
  args.push('-np', String(opts.parallel), '-c', String(opts.contextPerSlot * opts.parallel), '--log-disable');
  const child = spawn(opts.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (data: Buffer) => (log = (log + data.toString()).slice(-4000)));
  const baseUrl = `http://127.0.0.1:${port}`;
  while (child.exitCode === null && child.signalCode === null) {
    const status = await fetch(`${baseUrl}/health`).then((res) => res.status, () => 0);
    if (status === 200) return { baseUrl, stop: () => stopChild(child) };
    await sleep(100);
  }
  throw new Error(`llama-server exited (${child.exitCode ?? child.signalCode}); its output:\n${log}`);
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}
