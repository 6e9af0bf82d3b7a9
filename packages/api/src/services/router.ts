import { randomBytes } from 'node:crypto';
import { fieldError, formatIpv6, parseIpv6, type RouterConfig, type Txn } from '@nubo/shared';
import type { ApiContext } from '../context.js';
import { parsePrefix48, subnet64 } from './network-alloc.js';

/**
 * Every project has a virtual router on PodNet from the moment it exists (as
 * CloudCIX builds one per project): its record `routers/<project>` is written
 * in the project's own transaction and removed in the project delete's. The
 * uplink address is a random interface id in the routers' public /64, made
 * unique by `index/router-uplinks/<address>` created in the same transaction.
 */
export interface RouterPlan {
  /** The uplink /64's first 8 bytes. */
  prefix: Uint8Array;
  gateway: string;
  dns: string[];
}

export function routerPlan(config: ApiContext['config']): RouterPlan {
  const prefix64 = config.routerUplinkPrefix || subnet64(parsePrefix48(config.regionIpv6Prefix), 0);
  const bytes = parseIpv6(prefix64.split('/')[0]!, 'routerUplinkPrefix');
  if (bytes.subarray(8).some((b) => b !== 0)) {
    throw fieldError('NUBO_CONFIG', 'routerUplinkPrefix', `"${prefix64}" has bits set past /64`);
  }
  const gatewayBytes = new Uint8Array(bytes);
  gatewayBytes[15] = 1;
  const gateway = config.routerGatewayIpv6 || formatIpv6(gatewayBytes);
  return { prefix: bytes.subarray(0, 8), gateway, dns: [...config.routerDns] };
}

/** A new router record with a random uplink address (never ::0 or ::1, the gateway's). */
export function newRouter(plan: RouterPlan, projectId: string, now: string): RouterConfig {
  const bytes = new Uint8Array(16);
  bytes.set(plan.prefix, 0);
  bytes.set(randomBytes(8), 8);
  if (bytes.subarray(8, 15).every((b) => b === 0)) bytes[15] = Math.max(2, bytes[15]!);
  return {
    projectId,
    uplinkIpv6: `${formatIpv6(bytes)}/64`,
    gatewayIpv6: plan.gateway,
    dns: plan.dns,
    createdAt: now,
  };
}

/** Adds the router and its uplink's index key to a project's create. */
export function createRouter(ctx: ApiContext, txn: Txn, router: RouterConfig): void {
  txn
    .create(ctx.keys.routers.one(router.projectId), router)
    .create(ctx.keys.routerUplinks.one(uplinkAddress(router)), router.projectId);
}

export function uplinkAddress(router: RouterConfig): string {
  return router.uplinkIpv6.split('/')[0]!;
}
