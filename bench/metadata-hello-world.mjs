// The anchor for bench/metadata-throughput.ts: a bare fastify hello-world,
// started as its own process like the metadata service (plain node, no
// loader, as production runs the service from dist): `metadata-hello-world.mjs <port>`.
import Fastify from 'fastify';

const app = Fastify();
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0), backlog: 4096 });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
