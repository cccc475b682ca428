import { BlockList, isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '../openai/shared/api-error';

/** A plain IPv4 address for IPv4-mapped IPv6 ones (`::ffff:10.0.0.7`), as sockets report them. */
function normalize(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

export function toBlockList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const entry of cidrs) {
    const [address, bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

export function isLoopbackAddress(address: string): boolean {
  return address === '::1' || /^127\./.test(address);
}

/**
 * Refuses clients outside `network.allow` (CIDR) with 403, before anything else. Loopback clients
 * are always allowed: the machine's own health checks and admin tools.
 */
export function ipAllowlist(cidrs: string[]) {
  const allowed = toBlockList(cidrs);
  return (req: Request, res: Response, next: NextFunction) => {
    const address = normalize(req.socket.remoteAddress ?? '');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (isLoopbackAddress(address) || (isIP(address) !== 0 && allowed.check(address, family))) return next();
    const error = new ApiError(403, 'Your address is not allowed to use this server.', 'invalid_request_error', null, 'ip_not_allowed');
    res.status(error.status).json(error.toEnvelope());
  };
}
