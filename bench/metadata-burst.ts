// A boot storm: every client opens its own connection at the same moment and
// asks for its own context (through the trusted proxy header).
import { request } from 'node:http';

export interface BurstResult {
  clients: number;
  ok: number;
  errors: number;
  p99ms: number;
  maxMs: number;
  /** The first failure, to say why. */
  firstError: string | undefined;
}

export async function burst(port: number, path: string, addresses: string[]): Promise<BurstResult> {
  const results = await Promise.all(addresses.map((address) => once(port, path, address)));
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  const ok = results.filter((r) => r.status === 200).length;
  return {
    clients: addresses.length,
    ok,
    errors: addresses.length - ok,
    p99ms: times[Math.floor(times.length * 0.99) - 1] ?? 0,
    maxMs: times[times.length - 1] ?? 0,
    firstError: results.find((r) => r.status !== 200)?.error,
  };
}

function once(
  port: number,
  path: string,
  address: string,
): Promise<{ status: number; ms: number; error?: string }> {
  const start = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        agent: false,
        headers: { 'x-forwarded-for': address },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ms: performance.now() - start,
            error: `HTTP ${res.statusCode}`,
          }),
        );
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, ms: performance.now() - start, error: err.message }));
    req.end();
  });
}
