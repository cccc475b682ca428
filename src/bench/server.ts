import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../config/config.schema';

/** The engine and streaming settings the bench can turn off (config keys of the same names). */
export type EngineSettings = Pick<AppConfig, 'cpuThreadpool' | 'hugePages' | 'inlineWork' | 'soloDecode' | 'offThreadWrites'>;

export interface BenchServer {
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Runs the real server, `llamanest serve`, as a child process on a free loopback port (so the
 * benchmark's HTTP client does not share its event loop) and waits until the model has loaded (`preload`, `/ready`).
 * LLAMANEST_* variables are not passed on: they could override the config or require API keys.
 */
export async function startServer(
  model: { id: string; path: string; parallel: number; contextSize?: number; threads?: number },
  dir: string,
  settings: EngineSettings,
): Promise<BenchServer> {
  const config = join(dir, 'bench-config.yaml');
  writeFileSync(config, JSON.stringify({ dataDir: dir, preload: true, logLevel: 'warn', models: [model], ...settings })); // JSON is YAML
  const port = await freePort();
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LLAMANEST_'))), NO_COLOR: '1' };
  const child = spawn(process.execPath, [join(__dirname, '../cli/main.js'), 'serve', '--config', config, '--port', String(port)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (data: Buffer) => (log = (log + data.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForModel(baseUrl, child);
  } catch (error) {
    await stopChild(child);
    throw new Error(`${(error as Error).message}; its output:\n${log}`);
  }
  return { baseUrl, stop: () => stopChild(child) };
}

async function waitForModel(baseUrl: string, child: ChildProcess): Promise<void> {
  while (child.exitCode === null && child.signalCode === null) {
    const ready = await fetch(`${baseUrl}/ready`).then((res) => res.json() as Promise<{ status: string }>, () => undefined);
    if (ready?.status === 'ready') return;
    if (ready?.status === 'error') throw new Error('the server could not load the model');
    await sleep(100);
  }
  throw new Error(`the server exited (${child.exitCode ?? child.signalCode})`);
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exit = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exit;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
