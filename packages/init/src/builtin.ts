import { createRequire } from 'node:module';

/**
 * Loads a Node built-in at first use. In the guest the agent starts from a V8
 * startup snapshot (docs/init.md), and Node 18 cannot put node:http or
 * node:child_process in one; loading them lazily also spares a boot that
 * never needs them the work. createRequire('/') works from ESM and CJS alike.
 */
export const builtin = createRequire('/');
