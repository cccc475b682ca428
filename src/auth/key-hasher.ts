import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const KEY_SECRET_FILE = 'key-secret';

/**
 * Hashes API keys with HMAC-SHA256 under a server-side secret kept in its own file (mode 0600)
 * in the data directory, so a copy of the database alone does not allow testing guessed keys.
 */
export class KeyHasher {
  private constructor(private readonly secret: Buffer) {}

  static forDataDir(dataDir: string): KeyHasher {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const path = join(dataDir, KEY_SECRET_FILE);
    if (!existsSync(path)) {
      // Written aside, then linked into place: when the server and the CLI race to create it,
      // exactly one wins and both read the winner's complete file.
      const draft = `${path}.${process.pid}`;
      writeFileSync(draft, randomBytes(32).toString('base64'), { mode: 0o600 });
      try {
        linkSync(draft, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        unlinkSync(draft);
      }
    }
    chmodSync(path, 0o600);
    return new KeyHasher(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64'));
  }

  hash(key: string): Buffer {
    return createHmac('sha256', this.secret).update(key, 'utf8').digest();
  }
}
