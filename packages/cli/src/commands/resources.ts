import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { printRecord, printRows, type Row } from '../output.js';

/** `nubo key ...` */
export function keyCommands(program: Command, cli: CliContext): void {
  const key = program.command('key').description('SSH public keys');
  key
    .command('add <name>')
    .option('--file <file>', 'a .pub file')
    .option('--public-key <key>', 'the key itself')
    .action(async (name: string, o) => {
      const publicKey = o.publicKey ?? (o.file ? readFileSync(o.file, 'utf8') : undefined);
      if (!publicKey) throw new Error('give --file or --public-key');
      const { sshKey } = await cli
        .client()
        .post<{ sshKey: Row }>(`${await cli.projectPath()}/ssh-keys`, { name, publicKey });
      printRecord(cli.io, cli.json, {
        name: sshKey.name,
        type: sshKey.type,
        fingerprint: sshKey.fingerprint,
        id: sshKey.id,
      });
    });
  key.command('list').action(async () => {
    const { sshKeys } = await cli.client().get<{ sshKeys: Row[] }>(`${await cli.projectPath()}/ssh-keys`);
    printRows(cli.io, cli.json, sshKeys, [
      ['NAME', (k) => k.name],
      ['TYPE', (k) => k.type],
      ['FINGERPRINT', (k) => k.fingerprint],
      ['STATE', (k) => k.state ?? 'active'],
      ['ID', (k) => k.id],
    ]);
  });
  key.command('delete <key>').action(async (ref: string) => {
    const base = `${await cli.projectPath()}/ssh-keys`;
    await cli.client().delete(`${base}/${await cli.resolve(base, 'sshKeys', ref)}`);
  });
  key.command('restore <key>').action(async (ref: string) => {
    const base = `${await cli.projectPath()}/ssh-keys`;
    const { sshKey } = await cli
      .client()
      .post<{ sshKey: Row }>(`${base}/${await cli.resolve(base, 'sshKeys', ref)}/restore`);
    printRecord(cli.io, cli.json, { name: sshKey.name, state: sshKey.state, id: sshKey.id });
  });
}

const NET_COLUMNS: [string, (n: Row) => unknown][] = [
  ['NAME', (n) => n.name],
  ['IPV6', (n) => n.ipv6Prefix],
  ['IPV4', (n) => n.ipv4Cidr],
  ['SEGMENT', (n) => n.segment],
  ['STATE', (n) => n.state],
  ['ID', (n) => n.id],
];

/** `nubo net ...` */
export function netCommands(program: Command, cli: CliContext): void {
  const net = program.command('net').description('networks');
  net
    .command('create <name>')
    .option('--ipv4 <cidr>', 'an IPv4 network as well, e.g. 10.0.0.0/24')
    .action(async (name: string, o) => {
      const body = { name, ...(o.ipv4 ? { ipv4Cidr: o.ipv4 } : {}) };
      const { network } = await cli
        .client()
        .post<{ network: Row }>(`${await cli.projectPath()}/networks`, body);
      printRows(cli.io, cli.json, [network], NET_COLUMNS);
    });
  net.command('list').action(async () => {
    const { networks } = await cli.client().get<{ networks: Row[] }>(`${await cli.projectPath()}/networks`);
    printRows(cli.io, cli.json, networks, NET_COLUMNS);
  });
  net.command('show <network>').action(async (ref: string) => {
    const base = `${await cli.projectPath()}/networks`;
    const { network } = await cli
      .client()
      .get<{ network: Row }>(`${base}/${await cli.resolve(base, 'networks', ref)}`);
    printRecord(cli.io, cli.json, network);
  });
  net.command('delete <network>').action(async (ref: string) => {
    const base = `${await cli.projectPath()}/networks`;
    await cli.client().delete(`${base}/${await cli.resolve(base, 'networks', ref)}`);
  });
  net.command('restore <network>').action(async (ref: string) => {
    const base = `${await cli.projectPath()}/networks`;
    const { network } = await cli
      .client()
      .post<{ network: Row }>(`${base}/${await cli.resolve(base, 'networks', ref)}/restore`);
    printRows(cli.io, cli.json, [network], NET_COLUMNS);
  });
}

/** `nubo image ...`: `--public` works on the region's public images (admins). */
export function imageCommands(program: Command, cli: CliContext): void {
  const image = program.command('image').description('images');
  const base = async (pub?: boolean) => (pub ? '/v1' : await cli.projectPath());
  const COLUMNS: [string, (i: Row) => unknown][] = [
    ['NAME', (i) => i.name],
    ['FORMAT', (i) => i.format],
    ['STATE', (i) => i.state],
    ['SIZE', (i) => i.sizeBytes],
    ['SCOPE', (i) => (i.projectId ? 'project' : 'public')],
    ['ID', (i) => i.id],
  ];
  image
    .command('upload <file>')
    .description('upload a qcow2 or raw file and make an image of it')
    .requiredOption('--format <format>', 'qcow2 or raw')
    .option('--name <name>', 'image name (default: the file name without extension)')
    .option('--public', 'a public image (admin)')
    .action(async (file: string, o) => {
      const b = await base(o.public);
      const fileName = basename(file);
      await cli
        .client()
        .put(`${b}/files/${encodeURIComponent(fileName)}`, new Uint8Array(readFileSync(file)));
      const name = o.name ?? fileName.replace(/\.[^.]*$/, '').toLowerCase();
      const { image: img } = await cli
        .client()
        .post<{ image: Row }>(`${b}/images`, { name, format: o.format, file: fileName });
      printRows(cli.io, cli.json, [img], COLUMNS);
    });
  image
    .command('create <name>')
    .requiredOption('--format <format>', 'qcow2 or raw')
    .option('--file <file>', 'a file already in the file store')
    .option('--url <url>', 'a URL to import from')
    .option('--public', 'a public image (admin)')
    .action(async (name: string, o) => {
      const body = {
        name,
        format: o.format,
        ...(o.file ? { file: o.file } : {}),
        ...(o.url ? { url: o.url } : {}),
      };
      const { image: img } = await cli.client().post<{ image: Row }>(`${await base(o.public)}/images`, body);
      printRows(cli.io, cli.json, [img], COLUMNS);
    });
  image
    .command('list')
    .option('--public', 'public images only')
    .action(async (o) => {
      const { images } = await cli.client().get<{ images: Row[] }>(`${await base(o.public)}/images`);
      printRows(cli.io, cli.json, images, COLUMNS);
    });
  image
    .command('show <image>')
    .option('--public', 'a public image')
    .action(async (ref: string, o) => {
      const b = `${await base(o.public)}/images`;
      const { image: img } = await cli
        .client()
        .get<{ image: Row }>(`${b}/${await cli.resolve(b, 'images', ref)}`);
      printRecord(cli.io, cli.json, img);
    });
  image
    .command('delete <image>')
    .option('--public', 'a public image (admin)')
    .action(async (ref: string, o) => {
      const b = `${await base(o.public)}/images`;
      await cli.client().delete(`${b}/${await cli.resolve(b, 'images', ref)}`);
    });
}
