import type { Network, SshKey } from '@nubo/shared';
import { networkBomLines, sameLines } from './bom.js';
import type { Derived, EventDraft } from './derived.js';

/** A network has no `updatedAt`: a delete's time is its `deletedAt`, a removal's the daemon's clock. */
export function deriveNetwork(
  before: Network | undefined,
  after: Network | undefined,
  now: Date,
): Derived | undefined {
  const net = after ?? before;
  if (!net) return undefined;
  const events: EventDraft[] = [];
  let time = now.toISOString();
  if (!before && after) {
    time = after.createdAt;
    events.push({
      time,
      actor: 'api',
      action: 'network.created',
      toState: after.state,
      message: `${after.ipv6Prefix}`,
    });
  } else if (before && after && before.state !== after.state) {
    time = after.deletedAt ?? time;
    const action = after.state === 'scrub_queue' ? 'network.deleted' : 'network.restored';
    events.push({
      time,
      actor: 'api',
      action,
      fromState: before.state,
      toState: after.state,
      message: action,
    });
  } else if (before && !after) {
    events.push({
      time,
      actor: 'lifecycle',
      action: 'network.scrubbed',
      fromState: before.state,
      message: 'removed',
    });
  }
  const linesBefore = before ? networkBomLines(before) : [];
  const linesAfter = after ? networkBomLines(after) : [];
  return {
    projectId: net.projectId,
    resourceType: 'network',
    resourceId: net.id,
    resourceName: net.name,
    events,
    ...(sameLines(linesBefore, linesAfter)
      ? {}
      : {
          bom: {
            time,
            state: after?.state ?? 'removed',
            lines: linesAfter,
            resourceType: 'network' as const,
          },
        }),
    notifications: [],
  };
}

export function deriveSshKey(
  before: SshKey | undefined,
  after: SshKey | undefined,
  now: Date,
): Derived | undefined {
  const key = after ?? before;
  if (!key) return undefined;
  const events: EventDraft[] = [];
  const stateOf = (k: SshKey) => k.state ?? 'active';
  if (!before && after) {
    events.push({
      time: after.createdAt,
      actor: 'api',
      action: 'ssh-key.created',
      message: after.fingerprint,
    });
  } else if (before && after && stateOf(before) !== stateOf(after)) {
    const time = after.deletedAt ?? now.toISOString();
    const action = stateOf(after) === 'scrub_queue' ? 'ssh-key.deleted' : 'ssh-key.restored';
    events.push({
      time,
      actor: 'api',
      action,
      fromState: stateOf(before),
      toState: stateOf(after),
      message: action,
    });
  } else if (before && !after) {
    events.push({
      time: now.toISOString(),
      actor: 'api',
      action: 'ssh-key.removed',
      message: before.fingerprint,
    });
  }
  return {
    projectId: key.projectId,
    resourceType: 'ssh-key',
    resourceId: key.id,
    resourceName: key.name,
    events,
    notifications: [],
  };
}
