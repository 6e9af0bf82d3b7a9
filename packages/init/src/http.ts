import type * as Http from 'node:http';
import { builtin } from './builtin.js';

/** Where to ask: host may be a name, an IPv6 literal, or a link-local one with `%<iface>`. */
export interface Endpoint {
  host: string;
  port: number;
  /** The source address to send from (the guest's EUI-64 address), when it matters. */
  localAddress?: string;
}

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 200)}`);
  }
}

/**
 * GET with node:http (not fetch: the WHATWG URL parser refuses the zone id of
 * a link-local address), bounded by a timeout for the whole exchange.
 */
export function httpGet(endpoint: Endpoint, path: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const { request } = builtin('node:http') as typeof Http;
    const req = request(
      {
        host: endpoint.host,
        port: endpoint.port,
        path,
        method: 'GET',
        headers: { accept: 'application/json' },
        ...(endpoint.localAddress ? { localAddress: endpoint.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200) resolve(body);
          else reject(new HttpError(res.statusCode ?? 0, body));
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer from ${describe(endpoint)} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

export function describe(endpoint: Endpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `http://${host}:${endpoint.port}`;
}

/** `http://[fd00::1]:8775` → an Endpoint (a configured URL has no zone id). */
export function endpointFromUrl(url: string): Endpoint {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:') throw new Error(`only http:// metadata URLs are supported, not ${url}`);
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 80) };
}
