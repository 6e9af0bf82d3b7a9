import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BomMovement, keyLayout, loadConfig, Store, type VpnTunnel } from '@nubo/shared';
import { EtcdCluster, freePort, uniquePrefix } from '@nubo/test';
import { createTransport, type Transporter } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LifecycleConfig } from '../src/config.js';
import { render } from '../src/notify/templates.js';
import { LifecycleService } from '../src/service.js';
import { at, newVm, seedProject, silent, writeVm } from './fixtures.js';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

const SMTP_PASSWORD = 'smtp-Pa55word-never-in-mail';
const USER_DATA_SECRET = 'db_password=hunter2-in-user-data';

/** A real SMTP server on a loopback port that keeps what it receives and checks the login. */
function startSmtp(port: number, inbox: Received[], onMail: () => void): Promise<SMTPServer> {
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === 'nubo' && auth.password === SMTP_PASSWORD) cb(null, { user: 'nubo' });
      else cb(new Error('bad login'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        onMail();
        cb();
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('notifications by e-mail', () => {
  let etcd: EtcdCluster;
  let store: Store;
  let smtp: SMTPServer;
  let transport: Transporter;
  let service: LifecycleService;
  let templatesDir: string;
  const keys = keyLayout(uniquePrefix('notify'));
  const inbox: Received[] = [];
  let waiters: (() => void)[] = [];
  const nextMail = (count: number) =>
    new Promise<void>((resolve) => {
      const check = () => (inbox.length >= count ? resolve() : waiters.push(check));
      check();
    });

  beforeAll(async () => {
    etcd = await EtcdCluster.start();
    store = new Store({ endpoints: etcd.endpoints });
    const port = await freePort();
    smtp = await startSmtp(port, inbox, () => {
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    });
    templatesDir = await mkdtemp(join(tmpdir(), 'nubo-templates-'));
    await writeFile(
      join(templatesDir, 'build-succeeded.txt'),
      'Subject: ACME cloud: {{vmName}} is up\n\nHello from ACME. {{vmName}} runs ({{size}}).\n',
    );
    const config = loadConfig(LifecycleConfig, {
      env: {},
      overrides: {
        smtpHost: '127.0.0.1',
        smtpPort: port,
        smtpUser: 'nubo',
        smtpPassword: SMTP_PASSWORD,
        mailFrom: 'cloud@region.test',
        region: 'test1',
        templatesDir,
      },
    });
    transport = createTransport({
      host: config.smtpHost,
      port: config.smtpPort,
      secure: false,
      ignoreTLS: true,
      auth: { user: config.smtpUser, pass: config.smtpPassword },
    });
    service = new LifecycleService({ store, keys, logger: silent, config, transport });
    service.start();
  });

  afterAll(async () => {
    await service.stop();
    transport.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await rm(templatesDir, { recursive: true, force: true });
    await store.deletePrefix(keys.prefix);
    await store.close();
    await etcd.dispose();
  });

  it('mails the project owner when a build fails, with the reason and no secret', async () => {
    const { project } = await seedProject(store, keys, 'owner@example.test');
    const vm = newVm(project.id, { name: 'web-1', userData: `#!/bin/sh\necho ${USER_DATA_SECRET}\n` });
    await writeVm(store, keys, vm);
    await writeVm(store, keys, {
      ...vm,
      state: 'unresourced',
      reason: 'no host fits: needs 2 vCPU, 2048 MiB',
      updatedAt: at(5),
    });
    await nextMail(1);
    const mail = inbox[0]!;
    expect(mail.to).toEqual(['owner@example.test']);
    expect(mail.from).toBe('cloud@region.test');
    expect(mail.raw).toMatch(/^Subject: \[test1\] VM web-1 could not be built$/m);
    expect(mail.raw).toContain('Reason: no host fits: needs 2 vCPU, 2048 MiB');
    expect(mail.raw).toContain(`project ${project.name}`);
    expect(mail.raw).not.toContain(USER_DATA_SECRET);
    expect(mail.raw).not.toContain('hunter2');
    expect(mail.raw).not.toContain(SMTP_PASSWORD);
    // Sent means gone from the outbox.
    await expect.poll(() => store.count(keys.notifications.prefix)).toBe(0);
  });

  it('uses a template from the templates directory when there is one', async () => {
    const { project } = await seedProject(store, keys, 'other@example.test');
    const vm = newVm(project.id, { name: 'db-1', state: 'building', host: 'h1' });
    await writeVm(store, keys, vm);
    await writeVm(store, keys, { ...vm, state: 'running', updatedAt: at(60) });
    await nextMail(2);
    const mail = inbox[1]!;
    expect(mail.to).toEqual(['other@example.test']);
    expect(mail.raw).toMatch(/^Subject: ACME cloud: db-1 is up$/m);
    expect(mail.raw).toContain('Hello from ACME. db-1 runs (2 vCPU, 2048 MiB RAM, 20 GiB disk).');
  });

  it('mails a VPN change without its pre-shared key, and bills the tunnel', async () => {
    const { project } = await seedProject(store, keys, 'net@example.test');
    const psk = 'psk-Secret-0123456789-abcdef';
    const tunnel: VpnTunnel = {
      id: randomUUID(),
      projectId: project.id,
      name: 'office',
      remoteAddress: '198.51.100.7',
      localCidrs: ['10.0.0.0/24'],
      remoteCidrs: ['192.168.0.0/24'],
      psk,
      createdAt: at(0),
    };
    await store.put(keys.vpnTunnels.one(project.id, tunnel.id), tunnel);
    await nextMail(3);
    const mail = inbox[2]!;
    expect(mail.to).toEqual(['net@example.test']);
    expect(mail.raw).toMatch(/^Subject: \[test1\] VPN tunnel office created$/m);
    expect(mail.raw).toContain('Peer: 198.51.100.7');
    expect(mail.raw).not.toContain(psk);
    expect(mail.raw).not.toContain('Secret-0123');
    const bom = await store.list(keys.bom.ofProject(project.id), BomMovement);
    expect(bom.entries.map((e) => e.value.lines)).toEqual([[{ sku: 'vpn-tunnel', quantity: 1, per: 1 }]]);
  });
});

describe('render', () => {
  it('fills variables, and a variable cannot add a header', () => {
    const mail = render('Subject: VM {{vmName}} {{missing}}\n\nReason: {{reason}}\n', {
      vmName: 'a\r\nBcc: evil@example.test',
      reason: 'disk full',
    });
    expect(mail.subject).toBe('VM a Bcc: evil@example.test');
    expect(mail.text).toBe('Reason: disk full\n');
  });
});
