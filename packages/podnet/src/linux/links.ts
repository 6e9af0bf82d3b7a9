import { ipJson } from './exec.js';

/** One link as `ip -d -j link show` reports it (the fields PodNet reads). */
export interface LinkInfo {
  ifindex: number;
  ifname: string;
  flags: string[];
  operstate: string;
  master?: string;
  address?: string;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; protocol?: string } };
}

export interface AddrInfo {
  ifname: string;
  addr_info: { family: 'inet' | 'inet6'; local: string; prefixlen: number; scope: string }[];
}

export async function readLinks(netns: string | undefined): Promise<Map<string, LinkInfo>> {
  const links = await ipJson<LinkInfo>(netns, ['-d', 'link', 'show']);
  return new Map(links.map((l) => [l.ifname, l]));
}

/** Global-scope addresses per interface, as `addr/len`. */
export async function readAddresses(netns: string | undefined): Promise<Map<string, string[]>> {
  const rows = await ipJson<AddrInfo>(netns, ['addr', 'show']);
  return new Map(
    rows.map((r) => [
      r.ifname,
      r.addr_info.filter((a) => a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`),
    ]),
  );
}

export const isUp = (link: LinkInfo): boolean => link.flags.includes('UP');
export const kindOf = (link: LinkInfo): string | undefined => link.linkinfo?.info_kind;
