import type { FloatingIp, VpnTunnel } from '@nubo/shared';
import { SKU } from './bom.js';
import type { Derived, NotificationDraft } from './derived.js';

/**
 * PodNet's billable resources have no state and no `updatedAt`: they exist
 * (and bill one unit) from `createdAt` until their key is deleted, which is
 * timed by the daemon's clock. A tunnel's PSK never leaves this function.
 */
function tunnelVars(t: VpnTunnel, change: string, time: string): Record<string, string> {
  return { tunnelName: t.name, tunnelId: t.id, remoteAddress: t.remoteAddress, change, time };
}

function tunnelShape(t: VpnTunnel): string {
  return JSON.stringify([t.remoteAddress, t.localCidrs, t.remoteCidrs, t.ikeProposals, t.espProposals]);
}

export function deriveVpnTunnel(
  before: VpnTunnel | undefined,
  after: VpnTunnel | undefined,
  now: Date,
): Derived | undefined {
  const t = after ?? before;
  if (!t) return undefined;
  const base = {
    projectId: t.projectId,
    resourceType: 'vpn-tunnel' as const,
    resourceId: t.id,
    resourceName: t.name,
  };
  const time = !before && after ? after.createdAt : now.toISOString();
  let change: string | undefined;
  if (!before) change = 'created';
  else if (!after) change = 'deleted';
  // A PSK rotation is a change too, but says nothing about the key itself.
  else if (tunnelShape(before) !== tunnelShape(after) || before.psk !== after.psk) change = 'changed';
  if (!change) return undefined;
  const notifications: NotificationDraft[] = [{ template: 'vpn-changed', vars: tunnelVars(t, change, time) }];
  const bom =
    change === 'changed'
      ? {}
      : {
          bom: {
            time,
            state: after ? 'active' : 'deleted',
            lines: after ? [{ sku: SKU.vpnTunnel, quantity: 1, per: 1 }] : [],
            resourceType: 'vpn-tunnel' as const,
          },
        };
  return {
    ...base,
    events: [
      {
        time,
        actor: 'api',
        action: `vpn-tunnel.${change}`,
        message: `tunnel to ${t.remoteAddress} ${change}`,
      },
    ],
    ...bom,
    notifications,
  };
}

export function deriveFloatingIp(
  before: FloatingIp | undefined,
  after: FloatingIp | undefined,
  now: Date,
): Derived | undefined {
  if ((before && after) || (!before && !after)) return undefined;
  const ip = (after ?? before)!;
  const time = after ? after.createdAt : now.toISOString();
  return {
    projectId: ip.projectId,
    resourceType: 'floating-ip',
    resourceId: ip.id,
    resourceName: ip.publicIpv4,
    events: [],
    bom: {
      time,
      state: after ? 'active' : 'deleted',
      lines: after ? [{ sku: SKU.publicIpv4, quantity: 1, per: 1 }] : [],
      resourceType: 'floating-ip',
    },
    notifications: [],
  };
}
