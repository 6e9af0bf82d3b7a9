import { createServer, request, type Server } from 'node:http';

export interface ProxyOptions {
  port: number;
  /** The metadata service, e.g. `http://[2001:db8::10]:8775`. */
  upstream: string;
  projectId: string;
}

/** `::ffff:10.0.0.5` → `10.0.0.5`: the address as the guest has it. */
export function guestAddress(remote: string | undefined): string {
  return (remote ?? '').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
}

/**
 * The per-router metadata proxy. It runs inside the router's namespace, where
 * nftables redirects guests' requests to the metadata addresses to it, and
 * passes each request on to the metadata service with the guest's own
 * address in `X-Forwarded-For` (a header the guest sent is replaced, never
 * trusted) and the project in `X-Nubo-Project`.
 */
export function createMetadataProxy(options: ProxyOptions): Server {
  const upstream = new URL(options.upstream);
  return createServer((req, res) => {
    const headers = { ...req.headers };
    delete headers['x-forwarded-for'];
    delete headers['x-nubo-project'];
    const forwarded = request(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname.replace(/^\[|\]$/g, ''),
        port: upstream.port,
        method: req.method,
        path: `${upstream.pathname.replace(/\/$/, '')}${req.url ?? '/'}`,
        headers: {
          ...headers,
          host: upstream.host,
          'x-forwarded-for': guestAddress(req.socket.remoteAddress),
          'x-nubo-project': options.projectId,
        },
        timeout: 10_000,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forwarded.on('timeout', () => forwarded.destroy(new Error('upstream timeout')));
    forwarded.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NUBO_INTERNAL', message: 'metadata service unreachable' } }));
    });
    req.pipe(forwarded);
  });
}
