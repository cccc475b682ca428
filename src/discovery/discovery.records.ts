/** The DNS-SD service types llamanest advertises: its own, and plain HTTP for generic browsers. */
export const SERVICE_TYPES = ['llamanest', 'http'] as const;

/** The TXT record: where the API lives and what a client needs to know before connecting. */
export function discoveryTxt(options: { authRequired: boolean; tls: boolean; version: string }): Record<string, string> {
  return {
    path: '/v1',
    auth: options.authRequired ? 'required' : 'none',
    tls: options.tls ? 'true' : 'false',
    version: options.version,
  };
}
