import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, taken from below the
 * kernel's ephemeral range. A port the kernel picks (listen on 0) lies inside
 * that range, where any outgoing connection of a parallel test can take it as
 * its local port before our daemon binds it; below the range only listeners
 * compete, and they pick at random.
 */
export async function freePort(): Promise<number> {
  const [low, high] = LISTEN_RANGE;
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${low}–${high} after 100 tries`);
}

/** The ports we pick from: 10000 up to the start of the ephemeral range (read once). */
const LISTEN_RANGE = listenRange();

function listenRange(): [number, number] {
  let ephemeralLow = 32768;
  try {
    const [first] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    if (Number(first) > 12000) ephemeralLow = Number(first);
  } catch {
    // not Linux: keep the usual default
  }
  return [10000, ephemeralLow];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
