import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { bearer, cliJson, createKey, CreatedKey, ledgerRows } from './support/keys';
import { runCli, TestServer } from './support/server';

/** Every file under a directory, recursively, as raw bytes. */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, bytes: readFileSync(path) }];
  });
}

interface UsageBucket {
  date: string;
  key_id: string;
  model: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  total_tokens: number;
}

describe('usage ledger', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'llamanest-ledger-'));
  let server: TestServer;
  let team: CreatedKey;
  let other: CreatedKey;
  let admin: CreatedKey;

  beforeAll(async () => {
    team = await createKey(dataDir, 'team');
    other = await createKey(dataDir, 'other');
    admin = await createKey(dataDir, 'ops', '--scopes', 'admin');
    server = await TestServer.start({ dataDir });
  });
  afterAll(() => server.stop());

  it('records every request with the token counts the API returned, readable by the key, the admin API and the CLI', async () => {
    const openai = server.client(team.key);
    const expected = { requests: 0, prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0 };
    const add = (usage: OpenAI.CompletionUsage) => {
      expected.requests++;
      expected.prompt_tokens += usage.prompt_tokens;
      expected.completion_tokens += usage.completion_tokens;
      expected.cached_tokens += usage.prompt_tokens_details?.cached_tokens ?? 0;
    };
    for (const maxTokens of [3, 7]) {
      const completion = await openai.chat.completions.create({ model: 'llamanest-demo', messages: [{ role: 'user', content: 'count' }], max_tokens: maxTokens });
      add(completion.usage!);
    }
    const stream = await openai.chat.completions.create({
      model: 'llamanest-demo',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) if (chunk.usage) add(chunk.usage);
    const n2 = await openai.chat.completions.create({ model: 'llamanest-demo', messages: [{ role: 'user', content: 'count' }], max_tokens: 4, n: 2 });
    add(n2.usage!);
    await server.client(other.key).chat.completions.create({ model: 'llamanest-demo', messages: [{ role: 'user', content: 'Hi' }] });

    const own = await (await server.fetch('/v1/usage', { headers: bearer(team.key) })).json();
    expect(own.object).toBe('list');
    expect(own.data).toEqual([
      {
        date: new Date().toISOString().slice(0, 10),
        key_id: team.id,
        key_name: 'team',
        model: 'llamanest-demo',
        ...expected,
        total_tokens: expected.prompt_tokens + expected.completion_tokens,
      },
    ]);

    const all = (await (await server.fetch('/admin/usage', { headers: bearer(admin.key) })).json()).data as UsageBucket[];
    expect(all.map((b) => b.key_id).sort()).toEqual([team.id, other.id].sort());
    const filtered = (await (await server.fetch('/admin/usage?key=team&model=llamanest-demo&since=1d', { headers: bearer(admin.key) })).json()).data;
    expect(filtered).toEqual(own.data);
    expect((await (await server.fetch('/admin/usage?until=2000-01-01', { headers: bearer(admin.key) })).json()).data).toEqual([]);
    const badDate = await server.fetch('/v1/usage?since=yesterday', { headers: bearer(team.key) });
    expect(badDate.status).toBe(400);
    expect((await badDate.json()).error.param).toBe('since');

    expect(await cliJson(dataDir, ['usage', '--key', 'team'])).toEqual(own.data);
    const rows = await ledgerRows(dataDir, '--key', team.id);
    expect(rows).toHaveLength(4);
    expect(rows.reduce((sum, r) => sum + r.completion_tokens, 0)).toBe(expected.completion_tokens);
    for (const row of rows) {
      expect(row).toMatchObject({ key_name: 'team', endpoint: '/v1/chat/completions', status: 200, aborted: false });
      expect(row.ttft_ms).toBeGreaterThanOrEqual(0);
      expect(row.duration_ms).toBeGreaterThanOrEqual(row.ttft_ms!);
    }
    const csv = await runCli(['usage', '--requests', '--csv', '--key', 'team'], { LLAMANEST_DATA_DIR: dataDir });
    const lines = csv.output.trim().split('\n');
    expect(lines[0]).toBe('time,key_id,key_name,model,endpoint,prompt_tokens,completion_tokens,cached_tokens,ttft_ms,duration_ms,status,aborted');
    expect(lines).toHaveLength(5);
  });

  it('records refused and aborted requests with their status', async () => {
    const refused = await server.postJson('/v1/chat/completions', { model: 'no-such-model', messages: [{ role: 'user', content: 'Hi' }] }, bearer(other.key));
    expect(refused.status).toBe(404);
    const controller = new AbortController();
    const stream = await server.client(other.key).chat.completions.create(
      { model: 'llamanest-demo', messages: [{ role: 'user', content: 'count' }], max_tokens: 4000, stream: true },
      { signal: controller.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    controller.abort();
    await iterator.next().catch(() => undefined);
    let rows = await ledgerRows(dataDir, '--key', 'other');
    for (let attempt = 0; attempt < 100 && rows.length < 3; attempt++) {
      await new Promise((r) => setTimeout(r, 20));
      rows = await ledgerRows(dataDir, '--key', 'other');
    }
    expect(rows.map((r) => [r.model, r.status, r.aborted])).toEqual([
      ['llamanest-demo', 200, false],
      ['no-such-model', 404, false],
      ['llamanest-demo', 499, true],
    ]);
    expect(rows[2].completion_tokens).toBeGreaterThan(0);
  });

  it('never writes a clear key to the data directory or the logs', async () => {
    await server.client(`sk-lln-${'W'.repeat(40)}`).models.list().catch(() => undefined);
    const secrets = [team.key, other.key, admin.key, `sk-lln-${'W'.repeat(40)}`];
    for (const { path, bytes } of filesUnder(dataDir)) {
      for (const secret of secrets) expect({ path, leaked: bytes.includes(secret) }).toEqual({ path, leaked: false });
    }
    for (const secret of secrets) expect(server.logs).not.toContain(secret);
  });
});

describe('usage ledger after a crash', () => {
  it('holds a row for every request that got a complete response when the server is killed with SIGKILL under load', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'llamanest-crash-'));
    const key = await createKey(dataDir, 'load');
    const server = await TestServer.start({ dataDir });
    const openai = server.client(key.key);
    const completed: number[] = [];
    let resolveEnough: () => void;
    const enough = new Promise<void>((r) => (resolveEnough = r));
    // Distinct max_tokens make each request recognisable in the ledger by its completion tokens.
    const requests = Array.from({ length: 16 }, (_, i) =>
      openai.chat.completions
        .create({ model: 'llamanest-demo', messages: [{ role: 'user', content: 'count' }], max_tokens: 40 + i * 7 })
        .then((c) => {
          completed.push(c.usage!.completion_tokens);
          if (completed.length === 5) resolveEnough();
        })
        // The requests still running when the server dies fail: that is expected.
        .catch(() => undefined),
    );
    await enough;
    await server.stop('SIGKILL');
    await Promise.all(requests);
    expect(completed.length).toBeGreaterThanOrEqual(5);
    expect(completed.length).toBeLessThan(16);

    const rows = await ledgerRows(dataDir, '--key', 'load');
    const recorded = rows.filter((r) => r.status === 200).map((r) => r.completion_tokens);
    for (const tokens of completed) expect(recorded).toContain(tokens);
  });
});
