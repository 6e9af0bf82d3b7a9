// The API process: `node dist/main.js` listens; `node dist/main.js bootstrap-admin --name admin`
// creates the first admin and prints its token once. Config from NUBO_* env vars (see config.ts).
import { createLogger, keyLayout, NuboError, Store } from '@nubo/shared';
import { buildApi } from './app.js';
import { loadApiConfig } from './config.js';
import { createUserWithToken } from './tokens.js';

async function serve(): Promise<void> {
  const config = loadApiConfig();
  const logger = createLogger('api', { level: config.logLevel });
  const store = new Store({ endpoints: config.etcdEndpoints });
  const app = await buildApi({ store, keys: keyLayout(config.prefix), config, logger });
  const stop = async () => {
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await app.listen({ host: config.host, port: config.port });
}

/** Prints the secret on stdout and nothing else, so `TOKEN=$(... bootstrap-admin)` works. */
async function bootstrapAdmin(args: string[]): Promise<void> {
  const at = args.indexOf('--name');
  const name = at >= 0 ? args[at + 1] : 'admin';
  const email = args.includes('--email') ? args[args.indexOf('--email') + 1] : undefined;
  const config = loadApiConfig();
  const store = new Store({ endpoints: config.etcdEndpoints });
  try {
    const made = await createUserWithToken(store, keyLayout(config.prefix), {
      name: name ?? 'admin',
      role: 'admin',
      ...(email ? { email } : {}),
    });
    process.stderr.write(`created admin ${made.user.name} (${made.user.id}); its token, shown once:\n`);
    process.stdout.write(`${made.secret}\n`);
  } finally {
    await store.close();
  }
}

const [command, ...rest] = process.argv.slice(2);
const run = command === 'bootstrap-admin' ? bootstrapAdmin(rest) : serve();
run.catch((err: unknown) => {
  const message = err instanceof NuboError ? `${err.code}: ${err.message}` : String(err);
  process.stderr.write(`nubo-api: ${message}\n`);
  process.exit(1);
});
