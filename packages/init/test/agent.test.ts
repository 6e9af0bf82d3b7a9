// Must show: the bundled agent, run inside a guest namespace against a temp
// root directory and the real metadata service (real etcd behind it).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildMetadataApp, IndexFeed, VmIndex } from '@nubo/metadata';
import { keyLayout, Store } from '@nubo/shared';
import { EtcdCluster, uniquePrefix } from '@nubo/test';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, makeNetwork, makeSshKey, makeVm, seed } from '../../metadata/test/fixtures.js';
import { curl, type Guest, NetnsLab } from '../../metadata/test/netns-lab.js';
import { BEGIN_MARKER, END_MARKER } from '../src/index.js';

const run = promisify(execFile);
const PROJECT = '44444444-4444-4444-8444-444444444444';
const BUNDLE = join(import.meta.dirname, '../dist/nubo-init.cjs');
const keys = keyLayout(uniquePrefix('init'));
const alice = makeSshKey(PROJECT, 'alice');
const bob = makeSshKey(PROJECT, 'bob');
const HAND_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHandAddedKeyHandAddedKeyHandAddedKey00 me@laptop';
let etcd: EtcdCluster;
let store: Store;
let feed: IndexFeed;
let app: FastifyInstance;
let lab: NetnsLab;
let guest: Guest;
let url: string;
let root: string;
let vm: ReturnType<typeof makeVm>;
const temps: string[] = [];

async function makeRoot(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nubo-init-root-'));
  temps.push(dir);
  await mkdir(join(dir, 'etc'));
  await writeFile(
    join(dir, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\ndebian:x:1000:1000::/home/debian:/bin/sh\n',
  );
  await mkdir(join(dir, 'home/debian'), { recursive: true });
  return dir;
}

async function agent(dir: string, ...extra: string[]) {
  const args = [BUNDLE, '--root', dir, '--user', 'debian', '--budget', '10', ...extra];
  const { stdout } = await lab.exec(
    guest,
    process.execPath,
    extra.includes('--url') ? args : [...args, '--url', url],
  );
  return JSON.parse(stdout);
}

beforeAll(async () => {
  await run(process.execPath, [join(import.meta.dirname, '../bundle.mjs')]);
  lab = await NetnsLab.create();
  etcd = await EtcdCluster.start();
  store = new Store({ endpoints: etcd.endpoints });
  const net = makeNetwork(PROJECT, lab.prefix);
  const userData = '#!/bin/sh\necho "ran for $NUBO_INSTANCE_ID" >> "$NUBO_INIT_ROOT/user-data-ran"\n';
  vm = makeVm({ name: 'app-1', mac: '52:54:00:1e:1e:01', network: net, sshKeys: [alice], userData });
  await seed(store, keys, { networks: [net], sshKeys: [alice, bob], vms: [vm] });
  guest = await lab.addGuest('52:54:00:1e:1e:01');
  const index = new VmIndex(keys);
  feed = new IndexFeed(store, keys, index);
  await feed.ready;
  app = buildMetadataApp({ index });
  await app.listen({ host: lab.serverAddress, port: 0 });
  url = `http://[${lab.serverAddress}]:${(app.server.address() as { port: number }).port}`;
  root = await makeRoot();
});

afterAll(async () => {
  await app?.close();
  await feed?.stop();
  await store?.deletePrefix(keys.prefix);
  await store?.close();
  await etcd?.dispose();
  await lab?.dispose();
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

describe('nubo-init against the real service', () => {
  const akPath = () => join(root, 'home/debian/.ssh/authorized_keys');

  it('installs the keys with modes 0700/0600 and the owner, sets the host name, runs user-data', async () => {
    const report = await agent(root);
    expect(report).toMatchObject({ instanceId: vm.id, keysChanged: true, hostnameChanged: true });
    const dir = await stat(join(root, 'home/debian/.ssh'));
    const file = await stat(akPath());
    expect([dir.mode & 0o777, dir.uid, dir.gid]).toEqual([0o700, 1000, 1000]);
    expect([file.mode & 0o777, file.uid, file.gid]).toEqual([0o600, 1000, 1000]);
    expect(await readFile(akPath(), 'utf8')).toBe(`${BEGIN_MARKER}\n${alice.publicKey}\n${END_MARKER}\n`);
    expect(await readFile(join(root, 'etc/hostname'), 'utf8')).toBe('app-1\n');
    expect(await readFile(join(root, 'etc/hosts'), 'utf8')).toContain('127.0.1.1\tapp-1');
    expect(await readFile(join(root, 'user-data-ran'), 'utf8')).toBe(`ran for ${vm.id}\n`);
  });

  it('changes nothing on a second run', async () => {
    const before = await stat(akPath());
    const report = await agent(root);
    const after = await stat(akPath());
    expect(report).toMatchObject({ keysChanged: false, hostnameChanged: false, userData: 'already-ran' });
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(await readFile(join(root, 'user-data-ran'), 'utf8')).toBe(`ran for ${vm.id}\n`);
  });

  it('removes a revoked key, adds a new one and keeps a key added by hand', async () => {
    await writeFile(akPath(), `${HAND_KEY}\n${await readFile(akPath(), 'utf8')}`);
    await store.put(keys.sshKeys.one(PROJECT, alice.id), { ...alice, state: 'scrub_queue' });
    await seed(store, keys, { vms: [{ ...vm, sshKeyIds: [alice.id, bob.id] }] });
    await eventually(async () => {
      const res = await curl(lab, guest, `${url}/v1/instance/ssh-keys`);
      expect(JSON.parse(res.body).sshKeys.map((k: { id: string }) => k.id)).toEqual([bob.id]);
    }, 1000);
    const report = await agent(root);
    expect(report.keysChanged).toBe(true);
    const text = await readFile(akPath(), 'utf8');
    expect(text).toBe(`${HAND_KEY}\n${BEGIN_MARKER}\n${bob.publicKey}\n${END_MARKER}\n`);
    expect((await stat(akPath())).mode & 0o777).toBe(0o600);
  });

  it('refuses a .ssh symlink that points outside the home directory', async () => {
    const other = await makeRoot();
    await mkdir(join(other, 'outside'));
    await symlink(join(other, 'outside'), join(other, 'home/debian/.ssh'));
    const failure = await agent(other).catch((err: { code: number; stderr: string }) => err);
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/outside .*refusing to follow/);
    await expect(stat(join(other, 'outside/authorized_keys'))).rejects.toThrow(/ENOENT/);
  });

  it('gives up after its budget when no service answers, and changes nothing', async () => {
    const other = await makeRoot();
    const dead = `http://[${lab.serverAddress}]:9`;
    const failure = await agent(other, '--url', dead, '--budget', '1').catch(
      (err: { code: number; stderr: string }) => err,
    );
    expect(failure).toMatchObject({ code: 1 });
    expect((failure as { stderr: string }).stderr).toMatch(/not reached within 1000 ms/);
    await expect(stat(join(other, 'home/debian/.ssh'))).rejects.toThrow(/ENOENT/);
  });
});
