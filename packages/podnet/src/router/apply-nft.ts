import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runIn } from '../linux/exec.js';
import type { Changes } from './apply-links.js';
import type { RouterDesired } from './desired.js';
import { TABLE } from './nft.js';

/**
 * What was applied last per router, and how nft printed it back then: the
 * ruleset is reapplied when the desired text changes or when the table as it
 * is now (`nft list table`) differs from that print (someone edited it).
 */
const applied = new Map<string, { desired: string; listed: string }>();

async function listTable(ns: string): Promise<string> {
  return runIn(ns, 'nft', ['list', 'table', 'inet', TABLE]).catch(() => '');
}

export async function applyNft(d: RouterDesired, dir: string, changes: Changes): Promise<void> {
  const last = applied.get(d.namespace);
  if (last && last.desired === d.nftRuleset && last.listed === (await listTable(d.namespace))) return;
  const file = join(dir, 'ruleset.nft');
  await writeFile(file, d.nftRuleset);
  await runIn(d.namespace, 'nft', ['-f', file]);
  applied.set(d.namespace, { desired: d.nftRuleset, listed: await listTable(d.namespace) });
  changes.push('applied nftables ruleset');
}

export function forgetNft(namespace: string): void {
  applied.delete(namespace);
}
