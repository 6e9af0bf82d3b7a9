// What `npm start` prints once the region is up: commands ready to paste.
import { join } from 'node:path';
import type { RegionInfo } from './region.js';
import { ROOT } from './services.js';

export function banner(info: RegionInfo): string {
  const nubo = `node ${join(ROOT, 'packages', 'cli', 'dist', 'bin.js')}`;
  const driver = info.plan.driver;
  const fake = driver.kind === 'fake';
  const lines = [
    '',
    'Nubo region "local" is up.',
    driver.kind === 'fake'
      ? `  DRIVER: FAKE (${driver.why}). VMs are simulated: no QEMU, no network, no SSH.`
      : '  driver: libvirt (QEMU; TCG unless KVM really works), PodNet routers in network namespaces',
    `  API:  ${info.apiUrl}   (OpenAPI: ${info.apiUrl}/docs)`,
    `  etcd: ${info.etcd}   (ETCDCTL_API=3 etcdctl --endpoints=${info.etcd} get --prefix /nubo/)`,
    ...(info.missing.length ? [`  NOT RUNNING (package not built yet): ${info.missing.join(', ')}`] : []),
    '',
    'Paste these to get a VM and log in to it:',
    '',
    `  alias nubo='${nubo}'`,
    `  export NUBO_API_URL=${info.apiUrl} NUBO_TOKEN=${info.adminToken}`,
    '  nubo project create demo --grace-days 0',
    '  export NUBO_PROJECT=demo',
    '  nubo net create lan',
    "  [ -f ~/.ssh/id_ed25519 ] || ssh-keygen -q -t ed25519 -N '' -f ~/.ssh/id_ed25519",
    '  nubo key add me --file ~/.ssh/id_ed25519.pub',
    '  nubo vm create web --cpus 1 --ram 512MiB --disk 2GiB --image debian-12 --network lan --key me --wait',
    ...(fake
      ? []
      : [
          '  nubo vm show web        # note its address, then from the router of the project:',
          `  sudo ip netns exec ${info.plan.routerPrefix}<project id> ssh root@<address>`,
        ]),
    '',
    'The admin token above is shown once; keep it. Press Ctrl-C to stop: every process, namespace,',
    'tap, domain and disk this region made is removed.',
    '',
  ];
  return lines.join('\n');
}
