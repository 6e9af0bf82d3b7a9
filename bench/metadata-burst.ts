// A boot storm: every client opens its own connection at the same moment and
// asks for its own context (through the trusted proxy's headers).
import { request } from 'node:http';
import { type Guest, proxyHeaders } from './metadata-seed.js';

export interface BurstResult {
  clients: number;
  ok: number;
  errors: number;
  p99ms: number;
  maxMs: number;
  /** The first failure, to say why. */
  firstError: string | undefined;
}

export async function burst(port: number, path: string, guests: Guest[]): Promise<BurstResult> {
  const results = await Promise.all(guests.map((guest) => once(port, path, guest)));
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  const ok = results.filter((r) => r.status === 200).length;
  return {
    clients: guests.length,
    ok,
    errors: guests.length - ok,
    p99ms: times[Math.floor(times.length * 0.99) - 1] ?? 0,
    maxMs: times[times.length - 1] ?? 0,
    firstError: results.find((r) => r.status !== 200)?.error,
  };
}

function once(
  port: number,
  path: string,
  guest: Guest,
): Promise<{ status: number; ms: number; error?: string }> {
  const start = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        agent: false,
        headers: proxyHeaders(guest),
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
