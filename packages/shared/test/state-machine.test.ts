import { describe, expect, it } from 'vitest';
import {
  canDaemonMove,
  DAEMON_TRANSITIONS,
  isNuboError,
  nextState,
  USER_TRANSITIONS,
  VM_STATES,
  type VmAction,
  type VmState,
} from '../src/index.js';

describe('VM state machine', () => {
  it.each<[VmState, VmAction, VmState]>([
    ['running', 'stop', 'quiescing'],
    ['quiesced', 'start', 'restarting'],
    ['running', 'resize', 'updating'],
    ['quiesced', 'resize', 'updating'],
    ['running', 'delete', 'scrub_queue'],
    ['unresourced', 'delete', 'scrub_queue'],
    ['scrub_queue', 'restore', 'restarting'],
    ['unresourced', 'evacuate', 'requested'],
  ])('%s --%s--> %s', (from, action, to) => {
    expect(nextState(from, action)).toBe(to);
  });

  it.each<[VmState, VmAction]>([
    ['quiesced', 'stop'],
    ['running', 'start'],
    ['building', 'delete'],
    ['scrub_queue', 'delete'],
    ['closed', 'restore'],
    ['running', 'restore'],
    ['scrubbing', 'restore'],
  ])('refuses %s --%s-->, naming the allowed states', (from, action) => {
    try {
      nextState(from, action);
      expect.unreachable();
    } catch (err) {
      expect(isNuboError(err, 'NUBO_INVALID_TRANSITION')).toBe(true);
      expect((err as Error).message).toContain(USER_TRANSITIONS[action].from.join(', '));
    }
  });

  it('lets daemons walk the build, stop, start and scrub paths', () => {
    const path: VmState[] = [
      'requested',
      'building',
      'running',
      'quiescing',
      'quiesced',
      'restarting',
      'running',
    ];
    path.slice(1).forEach((to, i) => expect(canDaemonMove(path[i]!, to)).toBe(true));
    expect(canDaemonMove('scrub_queue', 'scrubbing')).toBe(true);
    expect(canDaemonMove('scrubbing', 'closed')).toBe(true);
  });

  it('never lets a daemon leave closed or skip building', () => {
    expect(DAEMON_TRANSITIONS.closed).toEqual([]);
    expect(canDaemonMove('requested', 'running')).toBe(false);
    expect(canDaemonMove('scrub_queue', 'running')).toBe(false);
  });

  it('has a rule for every state and only known targets', () => {
    for (const state of VM_STATES) {
      for (const to of DAEMON_TRANSITIONS[state]) expect(VM_STATES).toContain(to);
    }
  });
});
