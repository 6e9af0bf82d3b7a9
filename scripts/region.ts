// `npm start`: a whole region on this machine, in the foreground. Starts etcd
// from a temp data dir, then every service that exists, and stops them all on
// Ctrl-C. The service list grows as the packages do (see docs/operations.md).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { keyLayout, Store } from '@nubo/shared';
import { EtcdCluster, freePort } from '../test/harness/index.js';

const root = join(import.meta.dirname, '..');
const children: ChildProcess[] = [];

async function portOrFree(port: number): Promise<number> {
  const probe = await fetch(`http://127.0.0.1:${port}/health`).then(
    () => true,
    () => false,
  );
  return probe ? freePort() : port;
}

function startService(name: string, env: NodeJS.ProcessEnv): void {
  const main = join(root, 'packages', name, 'dist', 'main.js');
  if (!existsSync(main)) return;
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: 'inherit' });
  children.push(child);
  console.log(`started ${name} (pid ${child.pid})`);
}

async function main(): Promise<void> {
  const etcd = await EtcdCluster.start({ clientPort: await portOrFree(2379) });
  const endpoint = etcd.endpoint(0);
  const keys = keyLayout();
  const store = new Store({ endpoints: [endpoint] });
  await store.put(`${keys.prefix}region`, {
    name: 'local',
    startedAt: new Date().toISOString(),
    etcd: endpoint,
  });
  await store.close();

  const env = { NUBO_ETCD_ENDPOINTS: endpoint };
  for (const service of ['api', 'scheduler', 'host', 'podnet', 'metadata', 'lifecycle'])
    startService(service, env);

  console.log(`\nNubo region is up.\n  etcd: ${endpoint}`);
  console.log(`  see everything: ETCDCTL_API=3 etcdctl --endpoints=${endpoint} get --prefix /nubo/`);
  console.log('Press Ctrl-C to stop.\n');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)),
    );
    await etcd.dispose();
    console.log('stopped; nothing left behind.');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
