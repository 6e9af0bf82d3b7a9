import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BEGIN_MARKER,
  candidates,
  END_MARKER,
  installKeys,
  mergeManagedBlock,
  parseOptions,
  UsageError,
  withHostsEntry,
} from '../src/index.js';

const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

describe('the managed block', () => {
  it('replaces only the block, in place', () => {
    const before = `mine-1\n${BEGIN_MARKER}\nold\n${END_MARKER}\nmine-2\n`;
    expect(mergeManagedBlock(before, ['new-a', 'new-b'])).toBe(
      `mine-1\n${BEGIN_MARKER}\nnew-a\nnew-b\n${END_MARKER}\nmine-2\n`,
    );
  });

  it('appends a block to a file without one, and drops a stray marker', () => {
    expect(mergeManagedBlock(`mine\n${BEGIN_MARKER}\n`, ['k'])).toBe(
      `mine\n${BEGIN_MARKER}\nk\n${END_MARKER}\n`,
    );
    expect(mergeManagedBlock('', [])).toBe(`${BEGIN_MARKER}\n${END_MARKER}\n`);
  });

  it('follows an authorized_keys symlink that stays inside the home, keeping the link', async () => {
    const root = await mkdtemp(join(tmpdir(), 'nubo-init-unit-'));
    temps.push(root);
    await mkdir(join(root, 'home/u/.ssh'), { recursive: true });
    await mkdir(join(root, 'home/u/keys'));
    await writeFile(join(root, 'home/u/keys/ak'), 'mine\n');
    await symlink('../keys/ak', join(root, 'home/u/.ssh/authorized_keys'));
    await installKeys(root, { name: 'u', uid: 0, gid: 0, home: '/home/u' }, ['k1']);
    expect(await readlink(join(root, 'home/u/.ssh/authorized_keys'))).toBe('../keys/ak');
    expect(await readFile(join(root, 'home/u/keys/ak'), 'utf8')).toBe(
      `mine\n${BEGIN_MARKER}\nk1\n${END_MARKER}\n`,
    );
  });
});

describe('options and discovery', () => {
  it('asks only the configured URL, else the well-known address, link-local, and the name only with a resolver', async () => {
    expect(candidates('http://[fd00::1]:8775')).toMatchObject([{ host: 'fd00::1', port: 8775 }]);
    const bare = await mkdtemp(join(tmpdir(), 'nubo-init-resolv-'));
    try {
      const hosts = candidates(undefined, bare).map((c) => c.host);
      expect(hosts[0]).toBe('fd00:ec2::254');
      expect(hosts.slice(1).every((h) => h.startsWith('fe80::a9fe:a9fe%'))).toBe(true);
      await mkdir(join(bare, 'etc'));
      await writeFile(join(bare, 'etc/resolv.conf'), '# none\nnameserver fd00::53\n');
      expect(
        candidates(undefined, bare)
          .map((c) => c.host)
          .at(-1),
      ).toBe('metadata');
    } finally {
      await rm(bare, { recursive: true, force: true });
    }
  });

  it('refuses unknown flags and bad budgets with a usage error', () => {
    expect(() => parseOptions(['--nope', 'x'])).toThrow(UsageError);
    expect(() => parseOptions(['--root', '/nonexistent', '--budget', '-1'])).toThrow(/positive number/);
    expect(parseOptions(['--root', '/nonexistent', '--budget=5'])).toMatchObject({
      budgetMs: 5000,
      user: 'root',
      waitAddressMs: 0,
    });
    expect(parseOptions(['--root', '/nonexistent', '--wait-address', '30']).waitAddressMs).toBe(30_000);
  });

  it("replaces Debian's 127.0.1.1 line in /etc/hosts or adds one", () => {
    expect(withHostsEntry('127.0.0.1\tlocalhost\n127.0.1.1\told\n', 'new')).toBe(
      '127.0.0.1\tlocalhost\n127.0.1.1\tnew\n',
    );
    expect(withHostsEntry('127.0.0.1\tlocalhost\n', 'new')).toBe('127.0.0.1\tlocalhost\n127.0.1.1\tnew\n');
  });
});
