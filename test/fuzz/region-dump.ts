import type { Store } from '@nubo/shared';

/**
 * Every key of the region with its mod_revision and value: equal dumps mean
 * nothing was written at all, not even a value put back as it was.
 */
export async function dumpRegion(store: Store, prefix: string): Promise<string> {
  const { entries } = await store.list(prefix);
  return entries.map((e) => `${e.key}@${e.modRevision}=${JSON.stringify(e.value)}`).join('\n');
}

/** What changed between two dumps, for a failure message. */
export function dumpDiff(before: string, after: string): string[] {
  const a = new Set(before.split('\n'));
  const b = new Set(after.split('\n'));
  return [
    ...[...a].filter((x) => !b.has(x)).map((x) => `- ${x}`),
    ...[...b].filter((x) => !a.has(x)).map((x) => `+ ${x}`),
  ];
}
