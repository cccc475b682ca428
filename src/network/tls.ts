import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { AppConfig } from '../config/config.schema';

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  /** SHA-256 fingerprint of the certificate, `AB:CD:…`, for clients to pin or check. */
  fingerprint: string;
  /** Set when the certificate was made by this run. */
  created?: string;
}

export const SELF_SIGNED_DIR = 'tls';

/** The names this host answers to on the LAN: host name, `.local` (Bonjour), localhost and its addresses. */
export function lanNames(): { dns: string[]; ips: string[] } {
  const host = hostname().replace(/\.local$/, '');
  const dns = [...new Set([host, `${host}.local`, 'localhost'])];
  const ips = new Set(['127.0.0.1', '::1']);
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (!entry.address.startsWith('fe80')) ips.add(entry.address);
  }
  return { dns, ips: [...ips] };
}

/** The key and certificate to serve HTTPS with, if configured; makes the self-signed one on first use. */
export async function loadTls(config: Pick<AppConfig, 'tls' | 'dataDir'>): Promise<TlsMaterial | undefined> {
  const { tls } = config;
  if (tls.cert && tls.key) return withFingerprint(readFileSync(tls.key), readFileSync(tls.cert));
  if (!tls.selfSigned) return undefined;
  const dir = join(config.dataDir, SELF_SIGNED_DIR);
  const keyPath = join(dir, 'self-signed.key');
  const certPath = join(dir, 'self-signed.crt');
  if (existsSync(keyPath) && existsSync(certPath)) return withFingerprint(readFileSync(keyPath), readFileSync(certPath));

  const { dns, ips } = lanNames();
  const notAfter = new Date(Date.now() + 825 * 86_400_000); // the longest validity Apple platforms accept
  const pems = await generate([{ name: 'commonName', value: dns[1] }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...dns.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  writeFileSync(certPath, pems.cert);
  return { ...withFingerprint(Buffer.from(pems.private), Buffer.from(pems.cert)), created: certPath };
}

function withFingerprint(key: Buffer, cert: Buffer): TlsMaterial {
  return { key, cert, fingerprint: new X509Certificate(cert).fingerprint256 };
}
