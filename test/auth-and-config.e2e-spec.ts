import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { GREETING, runCli, TestServer } from './support/server';

const KEY = 'sk-test-first-0123456789';
const OTHER_KEY = 'sk-test-second-0123456789';
const hi: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];

describe('API keys', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await TestServer.start({ env: { LLAMANEST_API_KEYS: `${KEY}, ${OTHER_KEY}` } });
  });
  afterAll(() => server.stop());

  it('refuses /v1 without a key or with a wrong one (401 envelope), accepts every configured key', async () => {
    const missing = await server.fetch('/v1/models');
    expect(missing.status).toBe(401);
    expect((await missing.json()).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining("didn't provide an API key") });

    await expect(server.client('sk-wrong-key-0000').models.list()).rejects.toMatchObject({
      constructor: OpenAI.AuthenticationError,
      status: 401,
      code: 'invalid_api_key',
    });
    for (const key of [KEY, OTHER_KEY]) {
      const completion = await server.client(key).chat.completions.create({ model: 'llamanest-demo', messages: hi, temperature: 0 });
      expect(completion.choices[0].message.content).toBe(GREETING);
    }
  });

  it('keeps /health and /docs public', async () => {
    expect((await server.fetch('/health')).status).toBe(200);
    expect((await server.fetch('/docs')).status).toBe(200);
  });

  it('never writes a key to its logs', async () => {
    await server.client(KEY).models.list();
    await server.client('sk-wrong-key-0000').models.list().catch(() => undefined);
    expect(server.logs).not.toContain(KEY);
    expect(server.logs).not.toContain(OTHER_KEY);
    expect(server.logs).not.toContain('sk-wrong-key-0000');
  });
});

describe('serving configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llamanest-config-'));
  let demoPath: string;

  beforeAll(async () => {
    const { code, output } = await runCli(['demo-model', '--dir', dir]);
    expect(code).toBe(0);
    demoPath = output.trim();
    expect(readFileSync(demoPath).subarray(0, 4).toString()).toBe('GGUF');
  });

  it('refuses to listen on a non-loopback address without API keys', async () => {
    const { code, output } = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--model', demoPath], { LLAMANEST_DATA_DIR: dir });
    expect(code).toBe(2);
    expect(output).toContain('refusing to listen on 0.0.0.0 without API keys');
    expect(output).toContain('--insecure-no-auth');
  });

  it('reports an invalid config file clearly and exits', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'models:\n  - path: ./x.gguf\n    parallel: lots\n');
    const { code, output } = await runCli(['serve', '--config', file], { LLAMANEST_DATA_DIR: dir });
    expect(code).toBe(2);
    expect(output).toMatch(/invalid configuration.*\n.*models\.0\.parallel/);
  });

  it('serves models from a YAML file with per-model context size, parallelism and aliases (preloaded)', async () => {
    const file = join(dir, 'llamanest.yaml');
    writeFileSync(
      file,
      [
        'maxQueue: 2',
        'preload: true',
        'models:',
        `  - id: house-model`,
        `    path: ${demoPath}`,
        '    contextSize: 1024',
        '    parallel: 2',
        '    aliases: [gpt-4o-mini]',
        `  - path: ${demoPath}`,
      ].join('\n'),
    );
    const server = await TestServer.start({ args: ['--config', file] });
    try {
      const openai = server.client();
      const models = await openai.models.list();
      expect(models.data.map((m) => [m.id, (m as unknown as { context_length: number }).context_length])).toEqual([
        ['house-model', 1024],
        ['llamanest-demo', 4096],
      ]);
      const viaAlias = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: hi, temperature: 0 });
      expect(viaAlias.model).toBe('house-model');
      expect(viaAlias.choices[0].message.content).toBe(GREETING);
      expect((await openai.models.retrieve('gpt-4o-mini')).id).toBe('house-model');
      await expect(openai.chat.completions.create({ model: 'house-model', messages: hi, max_tokens: 1020 })).rejects.toMatchObject({
        code: 'context_length_exceeded',
      });
    } finally {
      await server.stop();
    }
  });

  it('serves several --model flags, named by id=path or by file name', async () => {
    const server = await TestServer.start({ args: ['--model', `first=${demoPath}`, '--model', demoPath] });
    try {
      const models = await server.client().models.list();
      expect(models.data.map((m) => m.id)).toEqual(['first', 'llamanest-demo']);
    } finally {
      await server.stop();
    }
  });
});
