import { Bonjour, Browser, Service, ServiceConfig } from 'bonjour-service';
import { TestServer } from './support/server';
import { VERSION } from '../src/version';

const KEY = 'sk-discovery-test-key';

/**
 * mDNS stays on this machine: the server and this browser both send only through the loopback
 * interface (LLAMANEST_DISCOVERY_INTERFACE / multicast-dns `interface`), and both receive there.
 */
function loopbackBonjour(): Bonjour {
  return new Bonjour({ interface: '127.0.0.1', bind: '0.0.0.0' } as Partial<ServiceConfig>);
}

function nextUp(browser: Browser, port: number): Promise<Service> {
  return new Promise((resolve) => {
    const onUp = (service: Service) => {
      if (service.port !== port) return;
      browser.off('up', onUp);
      resolve(service);
    };
    browser.on('up', onUp);
  });
}

function nextDown(browser: Browser, port: number): Promise<Service> {
  return new Promise((resolve) => browser.on('down', (service: Service) => service.port === port && resolve(service)));
}

describe('LAN discovery over Bonjour/mDNS (loopback only)', () => {
  let bonjour: Bonjour;

  beforeAll(() => {
    bonjour = loopbackBonjour();
  });
  afterAll(() => new Promise<void>((resolve) => bonjour.destroy(() => resolve())));

  it('advertises _llamanest._tcp and _http._tcp with the API path, auth, tls and version, and says goodbye on shutdown', async () => {
    const server = await TestServer.start({
      env: { LLAMANEST_DISCOVERY: 'true', LLAMANEST_DISCOVERY_INTERFACE: '127.0.0.1', LLAMANEST_API_KEYS: KEY },
    });
    const port = Number(new URL(server.baseUrl).port);
    const llamanest = bonjour.find({ type: 'llamanest' });
    const http = bonjour.find({ type: 'http' });
    try {
      const [found, foundHttp] = await Promise.all([nextUp(llamanest, port), nextUp(http, port)]);
      const txt = { path: '/v1', auth: 'required', tls: 'false', version: VERSION };
      expect(found).toMatchObject({ type: 'llamanest', protocol: 'tcp', port, txt });
      expect(found.name).toMatch(/^llamanest on /);
      expect(foundHttp).toMatchObject({ type: 'http', protocol: 'tcp', port, name: found.name, txt });

      const gone = nextDown(llamanest, port);
      server.kill('SIGTERM');
      expect((await gone).name).toBe(found.name);
      expect(await server.exited()).toEqual({ code: 0, signal: null });
      expect(server.logs).toContain('advertisement stopped');
    } finally {
      llamanest.stop();
      http.stop();
      await server.stop();
    }
  });
});
