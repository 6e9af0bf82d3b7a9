// The metadata proxy process: `node proxy/main.js <port> <upstream> <project>`,
// started by PodNet inside a router's namespace (see router/proxy-process.ts).
import { createMetadataProxy } from './server.js';

const [port = '', upstream = '', projectId = ''] = process.argv.slice(2);
const server = createMetadataProxy({ port: Number(port), upstream, projectId });
server.listen({ port: Number(port), host: '::' });
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
