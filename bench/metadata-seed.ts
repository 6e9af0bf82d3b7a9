// Seeds a region for the metadata benchmark: 100 projects, each with one
// network, two SSH keys and VMS/100 VMs, written in large transactions.
import { randomUUID } from 'node:crypto';
import { type Keys, macToEui64, type Store } from '@nubo/shared';
import { makeNetwork, makeSshKey, makeVm } from '../packages/metadata/test/fixtures.js';

const PROJECTS = 100;
const OPS_PER_TXN = 1000;

/** A seeded VM as the router's proxy names it to the service: its EUI-64 address and its project. */
export interface Guest {
  address: string;
  projectId: string;
}

/** Returns every VM, for the load generator. */
export async function seedRegion(store: Store, keys: Keys, vms: number): Promise<Guest[]> {
  const guests: Guest[] = [];
  let txn = store.txn();
  const flush = async () => {
    if (txn.size > 0) await txn.commit();
    txn = store.txn();
  };
  for (let p = 0; p < PROJECTS; p++) {
    const project = randomUUID();
    const net = makeNetwork(project, `fd42:${p.toString(16)}:0:1::/64`, 100 + p);
    const sshKeys = [makeSshKey(project, 'admin'), makeSshKey(project, 'deploy')];
    txn.put(keys.networks.one(net.id), net);
    for (const k of sshKeys) txn.put(keys.sshKeys.one(project, k.id), k);
    for (let i = 0; i < vms / PROJECTS; i++) {
      const n = p * (vms / PROJECTS) + i;
      const mac = `52:54:00:${hex(n >> 16)}:${hex(n >> 8)}:${hex(n)}`;
      const vm = makeVm({ name: `vm-${n}`, mac, network: net, sshKeys, userData: '#!/bin/sh\ntrue\n' });
      txn.put(keys.vms.one(vm.id), vm);
      guests.push({ address: macToEui64(mac, net.ipv6Prefix), projectId: project });
      if (txn.size >= OPS_PER_TXN) await flush();
    }
  }
  await flush();
  return guests;
}

function hex(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0');
}

/** What PodNet's proxy adds to a guest's request (packages/podnet/src/proxy/server.ts). */
export function proxyHeaders(guest: Guest): Record<string, string> {
  return { 'x-forwarded-for': guest.address, 'x-nubo-project': guest.projectId };
}
