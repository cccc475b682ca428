import type { Request, Response } from 'express';
import { ipAllowlist } from './ip-allowlist.middleware';

function call(allow: string[], remoteAddress: string): { passed: boolean; status?: number; body?: unknown } {
  const result: { passed: boolean; status?: number; body?: unknown } = { passed: false };
  const res = {
    status(code: number) {
      result.status = code;
      return this;
    },
    json(body: unknown) {
      result.body = body;
    },
  } as unknown as Response;
  ipAllowlist(allow)({ socket: { remoteAddress } } as Request, res, () => (result.passed = true));
  return result;
}

describe('ipAllowlist', () => {
  it.each([
    ['an address inside a listed network', ['192.168.1.0/24'], '192.168.1.77'],
    ['an IPv4-mapped IPv6 address', ['192.168.1.0/24'], '::ffff:192.168.1.77'],
    ['a single listed address', ['10.0.0.7'], '10.0.0.7'],
    ['an IPv6 network', ['fd00::/8'], 'fd12::1'],
    ['loopback, always', ['10.0.0.0/8'], '127.0.0.1'],
    ['IPv6 loopback, always', ['10.0.0.0/8'], '::1'],
  ])('lets in %s', (_case, allow, address) => {
    expect(call(allow, address).passed).toBe(true);
  });

  it.each([
    ['an address outside the networks', ['192.168.1.0/24'], '192.168.2.1'],
    ['a neighbour of a single address', ['10.0.0.7'], '10.0.0.8'],
    ['an unknown peer', ['10.0.0.0/8'], ''],
  ])('refuses %s with 403 ip_not_allowed', (_case, allow, address) => {
    const result = call(allow, address);
    expect(result.passed).toBe(false);
    expect(result.status).toBe(403);
    expect(result.body).toEqual({ error: { message: 'Your address is not allowed to use this server.', type: 'invalid_request_error', param: null, code: 'ip_not_allowed' } });
  });
});
