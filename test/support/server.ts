import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import OpenAI from 'openai';

export const CLI = resolve(__dirname, '..', '..', 'dist', 'cli', 'main.js');
export const GREETING = 'Hello! I am the llamanest demo model.';

export interface ServerOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Use this data directory (e.g. one the CLI prepared) instead of a new temporary one. */
  dataDir?: string;
}

/** A real llamanest process on a free loopback port, serving the demo model unless told otherwise. */
export class TestServer {
  private output = '';
  baseUrl = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly dataDir: string,
  ) {}

  static async start(options: ServerOptions = {}): Promise<TestServer> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'llamanest-e2e-'));
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...(options.args ?? [])], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LLAMANEST_DATA_DIR: dataDir, NO_COLOR: '1', LLAMANEST_LOG_FORMAT: 'json', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new TestServer(child, dataDir);
    await server.waitUntilReady();
    return server;
  }

  get logs(): string {
    return this.output;
  }

  /**
   * Waits (up to 10 s) until a JSON log line matches (or, given a pattern, the output does) and
   * returns that line: the process logs before it answers, but its stdout pipe may reach us later.
   */
  async waitForLog(match: RegExp | ((line: Record<string, unknown>) => boolean)): Promise<Record<string, unknown> | undefined> {
    for (let attempt = 0; attempt < 200; attempt++) {
      if (match instanceof RegExp) {
        if (match.test(this.output)) return this.logLines.find((line) => match.test(JSON.stringify(line)));
      } else {
        const line = this.logLines.find(match);
        if (line) return line;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no log line matching ${String(match)} in:\n${this.output}`);
  }

  /** The JSON log lines written so far. */
  get logLines(): Record<string, unknown>[] {
    return this.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  client(apiKey = 'unused', options: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}): OpenAI {
    return new OpenAI({ baseURL: `${this.baseUrl}/v1`, apiKey, maxRetries: 0, ...options });
  }

  fetch(path: string, init?: RequestInit): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, init);
  }

  postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  }

  /** Sends a signal to the server process. */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves with the exit code (or the signal that ended it) once the process is gone. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return Promise.resolve({ code: this.child.exitCode, signal: this.child.signalCode });
    }
    return new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await exited;
  }

  private waitUntilReady(): Promise<void> {
    return new Promise((resolveReady, reject) => {
      const onData = (data: Buffer) => {
        this.output += data.toString();
        const match = /API at (https?:\/\/[^\s/]+)\/v1/.exec(this.output);
        if (match && !this.baseUrl) {
          this.baseUrl = match[1];
          // fetch() cannot trust a self-signed certificate: HTTPS tests check readiness themselves.
          if (this.baseUrl.startsWith('https:')) resolveReady();
          else this.waitForHealth().then(resolveReady, reject);
        }
      };
      this.child.stdout!.on('data', onData);
      this.child.stderr!.on('data', onData);
      this.child.once('exit', (code) => reject(new Error(`server exited with ${code} before it was ready:\n${this.output}`)));
    });
  }

  /** Until /ready is 200: the preloaded models (if any) are loaded. */
  private async waitForHealth(): Promise<void> {
    for (let attempt = 0; attempt < 400; attempt++) {
      const res = await this.fetch('/ready');
      if (res.status === 200) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`server never became ready:\n${this.output}`);
  }
}

/** Runs the CLI to completion and returns its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun) => {
    // A fresh data dir unless the test names one: no test touches the user's real llamanest files.
    const dataDir = mkdtempSync(join(tmpdir(), 'llamanest-cli-'));
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', LLAMANEST_DATA_DIR: dataDir, ...env } });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolveRun({ code, output }));
  });
}

/** Reads a raw SSE body into its `data:` payloads, checking the framing on the way. */
export async function readSse(res: Response): Promise<{ raw: string; events: string[] }> {
  const raw = await res.text();
  const blocks = raw.split('\n\n');
  if (blocks.pop() !== '') throw new Error(`stream does not end with a blank line: ${JSON.stringify(raw.slice(-40))}`);
  const events = blocks.map((block) => {
    if (!block.startsWith('data: ') || block.includes('\n')) throw new Error(`bad SSE event: ${JSON.stringify(block)}`);
    return block.slice('data: '.length);
  });
  return { raw, events };
}
