import { isStable, type Vm } from '@nubo/shared';
import { sameLines, vmBomLines } from './bom.js';
import type { Derived, EventDraft, NotificationDraft } from './derived.js';

/** Who moved the VM, read from the transition (docs/requests.md says who writes which). */
export function vmActor(before: Vm | undefined, after: Vm): string {
  if (!before) return 'api';
  const from = before.state;
  const to = after.state;
  const host = after.host ?? before.host;
  if (to === 'scrubbing') return 'lifecycle';
  if (to === 'closed') return host ? `host:${host}` : 'lifecycle';
  if (from === 'requested') return 'scheduler';
  if (to === 'unresourced' && after.reason?.startsWith('host lost')) return 'scheduler';
  if (isStable(from)) return 'api';
  return host ? `host:${host}` : 'scheduler';
}

function size(vm: Vm): string {
  return `${vm.cpus} vCPU, ${vm.ramMiB} MiB RAM, ${vm.diskGiB} GiB disk`;
}

function vmEvents(before: Vm | undefined, after: Vm): EventDraft[] {
  const actor = vmActor(before, after);
  const why = after.reason !== undefined && after.reason !== before?.reason ? { reason: after.reason } : {};
  if (!before) {
    return [
      {
        time: after.createdAt,
        actor,
        action: 'vm.created',
        toState: after.state,
        message: `created: ${size(after)}`,
      },
    ];
  }
  const out: EventDraft[] = [];
  if (size(before) !== size(after)) {
    out.push({
      time: after.updatedAt,
      actor,
      action: 'vm.resized',
      message: `${size(before)} → ${size(after)}`,
    });
  }
  if (before.host && after.host && before.host !== after.host) {
    out.push({ time: after.updatedAt, actor, action: 'vm.moved', message: `${before.host} → ${after.host}` });
  }
  if (before.state !== after.state) {
    const failed = after.state === 'unresourced';
    out.push({
      time: after.updatedAt,
      actor,
      action: failed ? 'vm.failed' : 'vm.state',
      fromState: before.state,
      toState: after.state,
      ...why,
      message: `${before.state} → ${after.state}${after.reason && failed ? `: ${after.reason}` : ''}`,
    });
  }
  return out;
}

/** Only these fields of a VM may reach an e-mail (never its user-data). */
function vmVars(vm: Vm): Record<string, string> {
  return {
    vmName: vm.name,
    vmId: vm.id,
    state: vm.state,
    size: size(vm),
    reason: vm.reason ?? '',
    scrubAfter: vm.scrubAfter ?? '',
    time: vm.updatedAt,
  };
}

function vmNotifications(before: Vm | undefined, after: Vm): NotificationDraft[] {
  const from = before?.state;
  const to = after.state;
  if (from === to) return [];
  if (from === 'building' && to === 'running') return [{ template: 'build-succeeded', vars: vmVars(after) }];
  if ((from === 'requested' || from === 'building') && to === 'unresourced') {
    return [{ template: 'build-failed', vars: vmVars(after) }];
  }
  if (to === 'scrub_queue') return [{ template: 'delete-scheduled', vars: vmVars(after) }];
  return [];
}

/** Events, BOM movement and notifications for one observed change of a VM record. */
export function deriveVm(before: Vm | undefined, after: Vm | undefined, now: Date): Derived | undefined {
  const vm = after ?? before;
  if (!vm) return undefined;
  const linesBefore = before ? vmBomLines(before) : [];
  const linesAfter = after ? vmBomLines(after) : [];
  const time = after?.updatedAt ?? now.toISOString();
  const events: EventDraft[] = after
    ? vmEvents(before, after)
    : [{ time, actor: 'unknown', action: 'vm.removed', message: 'the record was removed' }];
  return {
    projectId: vm.projectId,
    resourceType: 'vm',
    resourceId: vm.id,
    resourceName: vm.name,
    events,
    ...(sameLines(linesBefore, linesAfter)
      ? {}
      : { bom: { time, state: after?.state ?? 'removed', lines: linesAfter, resourceType: 'vm' as const } }),
    notifications: after ? vmNotifications(before, after) : [],
  };
}
