import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATABASE_FILE, openDatabase } from '../database/open-database';
import { KeyHasher } from './key-hasher';
import { KeyNameTakenError, KeyNotFoundError } from './managed-key';
import { ManagedKeyRepository } from './managed-key.repository';

describe('ManagedKeyRepository', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llamanest-keys-unit-'));
  const db = openDatabase(dir);
  const hasher = KeyHasher.forDataDir(dir);
  const repo = new ManagedKeyRepository(db, hasher);
  afterAll(() => db.close());

  it('creates keys with defaults and finds them only by the hash of the clear key', () => {
    const { key, secret } = repo.create({ name: 'alpha' });
    expect(secret).toMatch(/^sk-lln-[A-Za-z0-9]{40}$/);
    expect(key).toMatchObject({ name: 'alpha', last4: secret.slice(-4), models: ['*'], scopes: ['inference', 'embeddings'], revokedAt: null });
    expect(repo.findByHash(hasher.hash(secret))?.id).toBe(key.id);
    expect(repo.findByHash(hasher.hash(`${secret}x`))).toBeUndefined();
    expect(readFileSync(join(dir, DATABASE_FILE)).includes(secret)).toBe(false);
    expect(statSync(join(dir, 'key-secret')).mode & 0o777).toBe(0o600);
  });

  it('keeps active names unique, but a revoked name can be reused', () => {
    repo.create({ name: 'beta' });
    expect(() => repo.create({ name: 'beta' })).toThrow(KeyNameTakenError);
    repo.revoke('beta');
    expect(repo.create({ name: 'beta' }).key.name).toBe('beta');
    expect(repo.list({ includeRevoked: true }).filter((k) => k.name === 'beta')).toHaveLength(2);
    expect(repo.list().filter((k) => k.name === 'beta')).toHaveLength(1);
  });

  it('does not accept revoked or expired keys', () => {
    const revoked = repo.create({ name: 'gamma' });
    repo.revoke(revoked.key.id);
    expect(repo.findByHash(hasher.hash(revoked.secret))).toBeUndefined();
    expect(() => repo.revoke('gamma')).toThrow(KeyNotFoundError);
    const expiring = repo.create({ name: 'delta', expiresAt: Date.now() + 1000 });
    expect(repo.findByHash(hasher.hash(expiring.secret))).toBeDefined();
    expect(repo.findByHash(hasher.hash(expiring.secret), Date.now() + 2000)).toBeUndefined();
  });

  it('rotates a secret in place', () => {
    const { key, secret } = repo.create({ name: 'epsilon', models: ['chat'], scopes: ['inference'], limits: { rpm: 5 } });
    const rotated = repo.rotate('epsilon');
    expect(rotated.key).toMatchObject({ id: key.id, models: ['chat'], scopes: ['inference'], limits: { rpm: 5, tpm: null } });
    expect(repo.findByHash(hasher.hash(secret))).toBeUndefined();
    expect(repo.findByHash(hasher.hash(rotated.secret))?.id).toBe(key.id);
  });

  it('reads the same hashing secret in another process (a second hasher)', () => {
    const { secret } = repo.create({ name: 'zeta' });
    expect(KeyHasher.forDataDir(dir).hash(secret)).toEqual(hasher.hash(secret));
  });
});
