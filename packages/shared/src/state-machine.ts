import { NuboError } from './errors.js';

/** VM states, after CloudCIX Robot's lifecycle (see docs/architecture.md). */
export const VmState = {
  requested: 'requested',
  building: 'building',
  running: 'running',
  quiescing: 'quiescing',
  quiesced: 'quiesced',
  restarting: 'restarting',
  updating: 'updating',
  migrating: 'migrating',
  scrub_queue: 'scrub_queue',
  scrubbing: 'scrubbing',
  closed: 'closed',
  unresourced: 'unresourced',
} as const;
export type VmState = (typeof VmState)[keyof typeof VmState];
export const VM_STATES = Object.values(VmState);

/** What a user (or an admin) asks of a VM through the API. */
export const VmAction = {
  stop: 'stop',
  start: 'start',
  restart: 'restart',
  resize: 'resize',
  migrate: 'migrate',
  delete: 'delete',
  restore: 'restore',
  evacuate: 'evacuate',
} as const;
export type VmAction = (typeof VmAction)[keyof typeof VmAction];

interface ActionRule {
  from: readonly VmState[];
  to: VmState;
}

/** The user-facing table: which states an action may start from, and where it leads. */
export const USER_TRANSITIONS: Readonly<Record<VmAction, ActionRule>> = {
  stop: { from: ['running'], to: 'quiescing' },
  start: { from: ['quiesced'], to: 'restarting' },
  restart: { from: ['running', 'quiesced'], to: 'restarting' },
  resize: { from: ['running', 'quiesced'], to: 'updating' },
  migrate: { from: ['running', 'quiesced'], to: 'migrating' },
  delete: { from: ['requested', 'running', 'quiesced', 'unresourced'], to: 'scrub_queue' },
  // A restored VM starts again on the host that kept its disk (the API sends it
  // back to `requested` instead when it never had one).
  restore: { from: ['scrub_queue'], to: 'restarting' },
  // Admin only: a VM lost with its host is placed again from scratch.
  evacuate: { from: ['unresourced'], to: 'requested' },
};

/** What the scheduler and host daemons may do, as they carry requests out. */
export const DAEMON_TRANSITIONS: Readonly<Record<VmState, readonly VmState[]>> = {
  requested: ['building', 'unresourced'],
  building: ['running', 'unresourced'],
  running: ['quiescing', 'unresourced'],
  quiescing: ['quiesced', 'unresourced'],
  quiesced: ['restarting', 'unresourced'],
  restarting: ['running', 'unresourced'],
  updating: ['running', 'quiesced', 'unresourced'],
  migrating: ['running', 'quiesced', 'unresourced'],
  scrub_queue: ['scrubbing'],
  scrubbing: ['closed'],
  closed: [],
  unresourced: ['requested'],
};

/** States in which nothing is in flight: the API waits for one of these with `--wait`. */
export const STABLE_STATES: readonly VmState[] = [
  'running',
  'quiesced',
  'scrub_queue',
  'closed',
  'unresourced',
];

export function isStable(state: VmState): boolean {
  return STABLE_STATES.includes(state);
}

/** The state a user action leads to, or NUBO_INVALID_TRANSITION naming the allowed states. */
export function nextState(state: VmState, action: VmAction): VmState {
  const rule = USER_TRANSITIONS[action];
  if (!rule.from.includes(state)) {
    throw new NuboError(
      'NUBO_INVALID_TRANSITION',
      `cannot ${action} a VM that is ${state}; allowed from: ${rule.from.join(', ')}`,
      { details: [{ field: 'state', message: `is ${state}` }] },
    );
  }
  return rule.to;
}

export function canDaemonMove(from: VmState, to: VmState): boolean {
  return DAEMON_TRANSITIONS[from].includes(to);
}

export function assertDaemonMove(from: VmState, to: VmState): void {
  if (!canDaemonMove(from, to)) {
    throw new NuboError('NUBO_INVALID_TRANSITION', `a daemon cannot move a VM from ${from} to ${to}`);
  }
}
