// Seeds a region for the metadata benchmark: 100 projects, each with one
// network, two SSH keys and VMS/100 VMs, written in large transactions.
import { randomUUID } from 'node:crypto';
import { type Keys, macToEui64, type Store } from '@nubo/shared';
import { makeNetwork, makeSshKey, makeVm } from '../packages/metadata/test/fixtures.js';

const PROJECTS = 100;
const OPS_PER_TXN = 1000;

/** Returns the EUI-64 address of every VM, for the load generator. */
export async function seedRegion(store: Store, keys: Keys, vms: number): Promise<string[]> {
  const addresses: string[] = [];
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
      addresses.push(macToEui64(mac, net.ipv6Prefix));
      if (txn.size >= OPS_PER_TXN) await flush();
    }
  }
  await flush();
  return addresses;
}

function hex(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0');
}
