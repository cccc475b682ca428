import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { bearer, createKey, CreatedKey, ledgerRows } from './support/keys';
import { GREETING, runCli, TestServer } from './support/server';

const hi = { model: 'llamanest-demo', messages: [{ role: 'user', content: 'Hi' }], temperature: 0 };

describe('managed API keys: scopes, models, limits, revocation', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'llamanest-keys-'));
  let server: TestServer;
  const keys: Record<string, CreatedKey> = {};

  beforeAll(async () => {
    const demo = (await runCli(['demo-model', '--dir', dataDir])).output.trim();
    const config = join(dataDir, 'llamanest.yaml');
    writeFileSync(
      config,
      ['models:', `  - path: ${demo}`, '    parallel: 2', '  - id: house-model', `    path: ${demo}`, '    parallel: 1', '    aliases: [house]'].join('\n'),
    );
    const specs: [string, ...string[]][] = [
      ['full'],
      ['admin', '--scopes', 'admin'],
      ['narrow', '--models', 'house'],
      ['rpm', '--rpm', '2', '--tpm', '100000'],
      ['tpm', '--tpm', '25'],
      ['daily', '--tpd', '15'],
      ['single', '--concurrency', '1'],
      ['fair-a', '--concurrency', '10'],
      ['fair-b', '--concurrency', '10'],
      ['doomed'],
      ['rotating'],
    ];
    for (const [name, ...flags] of specs) keys[name] = await createKey(dataDir, name, ...flags);
    server = await TestServer.start({ dataDir, args: ['--config', config] });
  });
  afterAll(() => server.stop());

  const chat = (key: string, body: object = hi) => server.postJson('/v1/chat/completions', body, bearer(key));

  /** A long streamed generation holding one sequence of `model` until `abort()`. */
  async function holdSequence(key: string, model: string): Promise<{ abort(): Promise<void> }> {
    const controller = new AbortController();
    const stream = await server.client(key).chat.completions.create(
      { model, messages: [{ role: 'user', content: 'count' }], max_tokens: 4000, n: 16, stream: true },
      { signal: controller.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    return {
      abort: async () => {
        controller.abort();
        await iterator.next().catch(() => undefined);
      },
    };
  }
  const errorOf = async (res: Response) => ((await res.json()) as { error: Record<string, unknown> }).error;

  it('prints keys as sk-lln-… once, with their settings, and lists them without the key', async () => {
    expect(keys.full.key).toMatch(/^sk-lln-[A-Za-z0-9]{40}$/);
    expect(keys.narrow).toMatchObject({ name: 'narrow', models: ['house'], scopes: ['inference', 'embeddings'] });
    const { output } = await runCli(['keys', 'list'], { LLAMANEST_DATA_DIR: dataDir });
    expect(output).toContain(`${keys.full.id}  full  sk-lln-…${keys.full.key.slice(-4)}  active`);
    expect(output).not.toContain(keys.full.key);
  });

  it('answers 401 without a key or with an unknown one', async () => {
    expect((await server.postJson('/v1/chat/completions', hi)).status).toBe(401);
    const unknown = await chat(`sk-lln-${'x'.repeat(40)}`);
    expect(unknown.status).toBe(401);
    expect(await errorOf(unknown)).toMatchObject({ code: 'invalid_api_key' });
    await expect(server.client('sk-lln-nope').models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('serves a key with the inference scope through the openai client', async () => {
    const completion = await server.client(keys.full.key).chat.completions.create({ ...hi, messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0].message.content).toBe(GREETING);
  });

  it('answers 403 permission_denied for a missing scope, in both directions', async () => {
    const noInference = await chat(keys.admin.key);
    expect(noInference.status).toBe(403);
    expect(await errorOf(noInference)).toEqual({
      message: 'You have insufficient permissions for this operation. Missing scopes: inference.',
      type: 'invalid_request_error',
      param: null,
      code: 'permission_denied',
    });
    const noAdmin = await server.fetch('/admin/keys', { headers: bearer(keys.full.key) });
    expect(noAdmin.status).toBe(403);
    expect(await errorOf(noAdmin)).toMatchObject({ code: 'permission_denied', message: expect.stringContaining('admin') });
    await expect(server.client(keys.admin.key).chat.completions.create({ ...hi, messages: [{ role: 'user', content: 'Hi' }] })).rejects.toBeInstanceOf(
      OpenAI.PermissionDeniedError,
    );
  });

  it('restricts a key to its models: 403 for others, and /v1/models lists only its own', async () => {
    const other = await chat(keys.narrow.key);
    expect(other.status).toBe(403);
    expect(await errorOf(other)).toMatchObject({ code: 'permission_denied', param: 'model' });
    const viaId = await chat(keys.narrow.key, { ...hi, model: 'house-model' });
    expect(viaId.status).toBe(200);
    const models = await server.client(keys.narrow.key).models.list();
    expect(models.data.map((m) => m.id)).toEqual(['house-model']);
    expect((await server.fetch('/v1/models/llamanest-demo', { headers: bearer(keys.narrow.key) })).status).toBe(403);
    expect((await server.client(keys.full.key).models.list()).data.map((m) => m.id)).toEqual(['llamanest-demo', 'house-model']);
  });

  it('counts requests per minute: headers on every response, then 429 with Retry-After', async () => {
    const first = await chat(keys.rpm.key);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+(\.\d+)?s|1m0s)$/);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe('100000');
    const usage = (await first.json()).usage;
    const second = await chat(keys.rpm.key);
    expect(second.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(second.headers.get('x-ratelimit-remaining-tokens')).toBe(String(100000 - usage.total_tokens));
    const refused = await chat(keys.rpm.key);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(refused.headers.get('x-ratelimit-limit-tokens')).toBe('100000');
    expect(await errorOf(refused)).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded', message: expect.stringContaining('Limit 2') });
    await expect(server.client(keys.rpm.key).chat.completions.create({ ...hi, messages: [{ role: 'user', content: 'Hi' }] })).rejects.toBeInstanceOf(
      OpenAI.RateLimitError,
    );
  });

  it('counts real prompt + completion tokens per minute', async () => {
    const first = await chat(keys.tpm.key);
    const used = (await first.json()).usage.total_tokens;
    expect(used).toBeLessThan(25);
    const second = await chat(keys.tpm.key);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-ratelimit-remaining-tokens')).toBe(String(25 - used));
    await second.json();
    const refused = await chat(keys.tpm.key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
    expect(await errorOf(refused)).toMatchObject({ type: 'tokens', code: 'rate_limit_exceeded', message: expect.stringContaining(`Used ${2 * used}`) });
  });

  it('answers insufficient_quota once the daily token budget is spent', async () => {
    expect((await chat(keys.daily.key)).status).toBe(200);
    const refused = await chat(keys.daily.key);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await errorOf(refused)).toMatchObject({ type: 'insufficient_quota', code: 'insufficient_quota' });
  });

  it('caps concurrent requests per key', async () => {
    const held = await holdSequence(keys.single.key, 'llamanest-demo');
    const refused = await chat(keys.single.key);
    expect(refused.status).toBe(429);
    expect(await errorOf(refused)).toMatchObject({ code: 'rate_limit_exceeded', message: expect.stringContaining('concurrent') });
    await held.abort();
    // The slot frees as soon as the server sees the client go; the next request gets it.
    let status = 429;
    for (let attempt = 0; attempt < 100 && status === 429; attempt++) {
      const res = await chat(keys.single.key);
      status = res.status;
      await res.text();
      if (status === 429) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(200);
  });

  it('serves two keys queued on one model in turn, not one burst first', async () => {
    const blocker = await holdSequence(keys.full.key, 'house-model');
    // The whole burst of fair-a arrives before fair-b's: a FIFO queue would serve a, a, a, b, b, b.
    const burst = ['fair-a', 'fair-a', 'fair-a', 'fair-b', 'fair-b', 'fair-b'].map((name) => chat(keys[name].key, { ...hi, model: 'house-model' }));
    const admin = bearer(keys.admin.key);
    for (let attempt = 0; ; attempt++) {
      const listed = (await (await server.fetch('/admin/keys', { headers: admin })).json()).data as { name: string; in_flight: number }[];
      const inFlight = (name: string) => listed.find((k) => k.name === name)!.in_flight;
      if (inFlight('fair-a') === 3 && inFlight('fair-b') === 3) break;
      if (attempt > 200) throw new Error('the burst never arrived');
      await new Promise((r) => setTimeout(r, 10));
    }
    await blocker.abort();
    for (const res of await Promise.all(burst)) expect(res.status).toBe(200);
    const served = (await ledgerRows(dataDir, '--model', 'house-model')).filter((r) => r.key_name.startsWith('fair-')).map((r) => r.key_name);
    expect(served).toEqual(['fair-a', 'fair-b', 'fair-a', 'fair-b', 'fair-a', 'fair-b']);
  });

  it('stops accepting a key revoked by the CLI while the server runs, without a restart', async () => {
    expect((await chat(keys.doomed.key)).status).toBe(200);
    const { code, output } = await runCli(['keys', 'revoke', 'doomed'], { LLAMANEST_DATA_DIR: dataDir });
    expect(code).toBe(0);
    expect(output).toContain(`Revoked ${keys.doomed.id} (doomed).`);
    const after = await chat(keys.doomed.key);
    expect(after.status).toBe(401);
    expect((await runCli(['keys', 'revoke', 'doomed'], { LLAMANEST_DATA_DIR: dataDir })).code).toBe(1);
  });

  it('rotates a key: the old one stops working, the new one works with the same settings', async () => {
    const rotated = await runCli(['keys', 'rotate', keys.rotating.id, '--json'], { LLAMANEST_DATA_DIR: dataDir });
    const fresh = JSON.parse(rotated.output) as CreatedKey;
    expect(fresh.id).toBe(keys.rotating.id);
    expect(fresh.key).not.toBe(keys.rotating.key);
    expect((await chat(keys.rotating.key)).status).toBe(401);
    expect((await chat(fresh.key)).status).toBe(200);
  });

  it('manages keys over the admin API too', async () => {
    const admin = { ...bearer(keys.admin.key), 'content-type': 'application/json' };
    const created = await server.fetch('/admin/keys', { method: 'POST', headers: admin, body: JSON.stringify({ name: 'via-api', models: ['house'], rpm: 5 }) });
    expect(created.status).toBe(201);
    const key = await created.json();
    expect(key).toMatchObject({ object: 'api_key', name: 'via-api', models: ['house'], limits: { requests_per_minute: 5 }, key: expect.stringMatching(/^sk-lln-/) });
    expect((await chat(key.key, { ...hi, model: 'house' })).status).toBe(200);
    const duplicate = await server.fetch('/admin/keys', { method: 'POST', headers: admin, body: JSON.stringify({ name: 'via-api' }) });
    expect(duplicate.status).toBe(409);
    const bad = await server.fetch('/admin/keys', { method: 'POST', headers: admin, body: JSON.stringify({ name: 'x', scopes: ['root'] }) });
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatchObject({ param: 'scopes' });
    expect((await server.fetch(`/admin/keys/${key.id}`, { method: 'DELETE', headers: admin })).status).toBe(200);
    expect((await chat(key.key, { ...hi, model: 'house' })).status).toBe(401);
    expect((await server.fetch('/admin/keys/no-such-key', { method: 'DELETE', headers: admin })).status).toBe(404);
  });
});
