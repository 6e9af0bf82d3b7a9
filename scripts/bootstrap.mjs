#!/usr/bin/env node
// Installs what `npm start` and `npm test` need on a fresh Debian 12 machine:
// missing Debian packages (as root), then npm dependencies. Plain Node, no
// dependencies, so it runs before `npm ci`. Arguments go to commands as arrays.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (msg) => process.stderr.write(`[bootstrap] ${msg}\n`);

function run(cmd, args, env = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env }, cwd: root });
  if (res.status !== 0) {
    say(`${cmd} ${args.join(' ')} failed (exit ${res.status ?? res.signal})`);
    process.exit(res.status || 1);
  }
}

function missingDebianPackages() {
  const { packages } = JSON.parse(readFileSync(join(root, 'scripts/debian-packages.json'), 'utf8'));
  return Object.entries(packages)
    .filter(([, proof]) => !existsSync(proof))
    .map(([name]) => name);
}

function installDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    say(`not root, so not installing Debian packages: ${missing.join(' ')}`);
    say(`install them with: apt-get install -y ${missing.join(' ')}`);
    return;
  }
  say(`installing Debian packages: ${missing.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], env);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], env);
}

function npmDependenciesStale() {
  const marker = join(root, 'node_modules/.package-lock.json');
  if (!existsSync(marker)) return true;
  return statSync(join(root, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs;
}

// `npm install` rather than `npm ci`: it installs the versions in
// package-lock.json all the same, but this workplace's registry mirror lacks
// some platform-only optional packages (e.g. @biomejs/cli-android-arm64), which
// the lock cannot record and `npm ci` then refuses as "out of sync".
function installNpmDependencies() {
  if (!npmDependenciesStale()) return;
  say('installing npm dependencies (npm install, from package-lock.json)');
  run('npm', ['install', '--no-audit', '--no-fund']);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  say(`Node ${process.versions.node} is too old; Nubo needs Node 20.19 or newer`);
  process.exit(1);
}
installDebianPackages();
installNpmDependencies();
