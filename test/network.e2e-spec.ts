import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { DEMO_GREETING } from '../src/demo-model/demo-model';
import { TestServer } from './support/server';

/** GET `url`, or POST `json` to it, over HTTPS trusting `ca`. */
function httpsRequest(url: string, ca: Buffer, json?: object): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const options = { ca, servername: 'localhost', method: json ? 'POST' : 'GET', headers: json ? { 'Content-Type': 'application/json' } : {} };
    request(url, options, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    })
      .on('error', reject)
      .end(json && JSON.stringify(json));
  });
}

describe('network hygiene', () => {
  it('serves HTTPS with a self-signed certificate made on first run for the LAN names, printing its fingerprint', async () => {
    const server = await TestServer.start({ args: ['--tls-self-signed'] });
    try {
      expect(server.baseUrl).toMatch(/^https:\/\//);
      const cert = readFileSync(join(server.dataDir, 'tls', 'self-signed.crt'));
      const x509 = new X509Certificate(cert);
      expect(server.logs).toContain(`TLS certificate SHA-256 fingerprint ${x509.fingerprint256}`);
      expect(x509.subjectAltName).toContain('DNS:localhost');
      expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
      const url = server.baseUrl.replace('127.0.0.1', 'localhost');
      let health = { status: 0, body: '' };
      for (let attempt = 0; attempt < 200 && health.status !== 200; attempt++) {
        health = await httpsRequest(`${url}/health`, cert);
        if (health.status !== 200) await new Promise((r) => setTimeout(r, 50));
      }
      expect(JSON.parse(health.body).status).toBe('ok');
      // A stream over TLS (written by Node's TLS socket, never off-thread).
      const messages = [{ role: 'user', content: 'Hi' }];
      const streamed = await httpsRequest(`${url}/v1/chat/completions`, cert, { model: 'llamanest-demo', messages, temperature: 0, stream: true });
      const events = streamed.body.split('\n\n').filter(Boolean);
      expect(events.at(-1)).toBe('data: [DONE]');
      const text = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)).choices[0]?.delta?.content ?? '').join('');
      expect(text).toBe(DEMO_GREETING);
      // Plain HTTP is not served on the HTTPS port.
      await expect(fetch(`${server.baseUrl.replace('https:', 'http:')}/health`)).rejects.toThrow();
    } finally {
      await server.stop();
    }
    const again = await TestServer.start({ dataDir: server.dataDir, args: ['--tls-self-signed'] });
    try {
      expect(again.logs).not.toContain('created a self-signed certificate');
      expect(again.logs).toContain(new X509Certificate(readFileSync(join(server.dataDir, 'tls', 'self-signed.crt'))).fingerprint256);
    } finally {
      await again.stop();
    }
  });

  it('answers CORS preflights for allowed origins only', async () => {
    const server = await TestServer.start({ env: { LLAMANEST_CORS_ORIGINS: 'http://app.lan' } });
    try {
      const preflight = (origin: string) =>
        server.fetch('/v1/chat/completions', {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
        });
      const allowed = await preflight('http://app.lan');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('http://app.lan');
      expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      const other = await preflight('http://evil.example');
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const get = await server.fetch('/v1/models', { headers: { origin: 'http://app.lan' } });
      expect(get.headers.get('access-control-expose-headers')).toContain('x-ratelimit-remaining-requests');
    } finally {
      await server.stop();
    }
  });
});
