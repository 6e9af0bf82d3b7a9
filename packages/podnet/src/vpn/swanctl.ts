import type { VpnTunnel } from '@nubo/shared';

export interface SwanctlInput {
  tunnels: VpnTunnel[];
  localIpv6: string;
  localIpv4: string | undefined;
}

/** The router's address of the family of the peer's (a DNS name is taken as IPv4 unless it has colons). */
function localFor(t: VpnTunnel, input: SwanctlInput): string | undefined {
  return t.remoteAddress.includes(':') ? input.localIpv6 : input.localIpv4;
}

/**
 * One swanctl.conf for a router: a connection, a child SA and a secret per
 * tunnel. The PSK goes in hex (`0x…`), so no character of it can break the
 * file's syntax; the file is written with mode 0600 and never logged.
 */
export function renderSwanctl(input: SwanctlInput): string {
  const usable = input.tunnels.filter((t) => localFor(t, input) !== undefined);
  const connections = usable.map((t) => connection(t, localFor(t, input)!));
  const secrets = usable.map(
    (t) =>
      `  ike-${t.id} {\n    id-remote = ${t.remoteAddress}\n    secret = 0x${Buffer.from(t.psk).toString('hex')}\n  }`,
  );
  return `connections {\n${connections.join('\n')}\n}\nsecrets {\n${secrets.join('\n')}\n}\n`;
}

function connection(t: VpnTunnel, local: string): string {
  return [
    `  ${t.id} {`,
    '    version = 2',
    `    local_addrs = ${local}`,
    `    remote_addrs = ${t.remoteAddress}`,
    ...(t.ikeProposals ? [`    proposals = ${t.ikeProposals}`] : []),
    '    local {',
    '      auth = psk',
    `      id = ${local}`,
    '    }',
    '    remote {',
    '      auth = psk',
    `      id = ${t.remoteAddress}`,
    '    }',
    '    children {',
    `      ${t.id} {`,
    `        local_ts = ${t.localCidrs.join(',')}`,
    `        remote_ts = ${t.remoteCidrs.join(',')}`,
    ...(t.espProposals ? [`        esp_proposals = ${t.espProposals}`] : []),
    '        start_action = trap',
    '        dpd_action = restart',
    '      }',
    '    }',
    '  }',
  ].join('\n');
}

/** charon's own settings for one router: its vici socket and log file in the router's directory. */
export function renderStrongswanConf(dir: string): string {
  return [
    'charon-systemd {',
    `  plugins { vici { socket = unix://${dir}/charon.vici } }`,
    '  install_routes = no',
    '  journal { default = -1 }',
    `  filelog { router { path = ${dir}/charon.log\n    flush_line = yes\n    default = 1 } }`,
    '}',
    '',
  ].join('\n');
}
