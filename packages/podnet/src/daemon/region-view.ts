import {
  FirewallRule,
  FloatingIp,
  isValid,
  type Keys,
  Network,
  Project,
  RouterConfig,
  type TSchema,
  Vm,
  VpnTunnel,
} from '@nubo/shared';
import type { ProjectSnapshot } from '../router/desired.js';

/** The record kinds PodNet follows, each under one etcd prefix. */
export function watchedKinds(keys: Keys) {
  return {
    projects: { prefix: keys.projects.prefix, schema: Project },
    routers: { prefix: keys.routers.prefix, schema: RouterConfig },
    networks: { prefix: keys.networks.prefix, schema: Network },
    vms: { prefix: keys.vms.prefix, schema: Vm },
    firewallRules: { prefix: keys.firewallRules.prefix, schema: FirewallRule },
    floatingIps: { prefix: keys.floatingIps.prefix, schema: FloatingIp },
    vpnTunnels: { prefix: keys.vpnTunnels.prefix, schema: VpnTunnel },
  } satisfies Record<string, { prefix: string; schema: TSchema }>;
}
export type Kind = keyof ReturnType<typeof watchedKinds>;

/** The project a record belongs to (a project record is its own). */
export function projectOf(kind: Kind, value: unknown): string | undefined {
  const v = value as { id?: string; projectId?: string };
  return kind === 'projects' ? v.id : v.projectId;
}

/**
 * What PodNet knows of the region: one map per kind, key → record, kept by the
 * watches. Records that do not match their schema are left out (and reported
 * by the caller), never trusted.
 */
export class RegionView {
  private readonly maps = new Map<Kind, Map<string, unknown>>();

  constructor(
    private readonly kinds: ReturnType<typeof watchedKinds>,
    /** Told about each record left out because it does not match its schema. */
    private readonly onInvalid: (key: string) => void = () => {},
  ) {
    for (const kind of Object.keys(kinds) as Kind[]) this.maps.set(kind, new Map());
  }

  /** Replaces a kind's records; returns the projects whose records changed. */
  reset(kind: Kind, entries: { key: string; value: unknown }[]): Set<string> {
    const old = new Map(this.map(kind));
    const touched = new Set<string>([...old.values()].flatMap((v) => projectOf(kind, v) ?? []));
    this.map(kind).clear();
    for (const e of entries) {
      // An invalid record keeps its last good value, as in `put`.
      if (!isValid(this.kinds[kind].schema, e.value) && old.has(e.key))
        this.map(kind).set(e.key, old.get(e.key));
      this.put(kind, e.key, e.value).forEach((p) => touched.add(p));
    }
    return touched;
  }

  /**
   * Sets one record; returns the projects it concerns, before and after. A
   * record that does not match its schema is reported and ignored: the last
   * good value stays, so a corrupted project record never tears its router down.
   */
  put(kind: Kind, key: string, value: unknown): string[] {
    if (!isValid(this.kinds[kind].schema, value)) {
      this.onInvalid(key);
      return [];
    }
    const before = this.delete(kind, key);
    this.map(kind).set(key, value);
    return [...new Set([...before, ...[projectOf(kind, value) ?? []].flat()])];
  }

  delete(kind: Kind, key: string): string[] {
    const old = this.map(kind).get(key);
    this.map(kind).delete(key);
    const p = old === undefined ? undefined : projectOf(kind, old);
    return p ? [p] : [];
  }

  /** Projects that should have a router: a project record and a router record. */
  routedProjects(): string[] {
    const projects = new Set([...this.values<Project>('projects')].map((p) => p.id));
    return [...this.values<RouterConfig>('routers')].map((r) => r.projectId).filter((id) => projects.has(id));
  }

  snapshot(projectId: string): ProjectSnapshot | undefined {
    const project = [...this.values<Project>('projects')].find((p) => p.id === projectId);
    const router = [...this.values<RouterConfig>('routers')].find((r) => r.projectId === projectId);
    if (!project || !router) return undefined;
    const of = <T extends { projectId: string }>(kind: Kind) =>
      [...this.values<T>(kind)].filter((v) => v.projectId === projectId);
    return {
      project,
      router,
      networks: of<Network>('networks'),
      vms: of<Vm>('vms'),
      firewallRules: of<FirewallRule>('firewallRules'),
      floatingIps: of<FloatingIp>('floatingIps'),
      vpnTunnels: of<VpnTunnel>('vpnTunnels'),
    };
  }

  private map(kind: Kind): Map<string, unknown> {
    return this.maps.get(kind)!;
  }

  private values<T>(kind: Kind): IterableIterator<T> {
    return this.map(kind).values() as IterableIterator<T>;
  }
}
