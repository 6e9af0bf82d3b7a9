import { hostname } from 'node:os';
import { DEFAULT_PREFIX, type Static, Type } from '@nubo/shared';

/**
 * The scheduler's configuration (env prefix `NUBO_`, see docs/scheduler.md).
 * Overcommit ratios multiply a host's capacity: 4 CPUs at `cpuRatio` 4 offer
 * 16 vCPUs; RAM and disk are not over-committed by default.
 */
export const SchedulerConfig = Type.Object({
  etcdEndpoints: Type.Array(Type.String(), { minItems: 1, default: ['http://127.0.0.1:2379'] }),
  prefix: Type.String({ default: DEFAULT_PREFIX }),
  /** Who this copy is, in the election key and logs. */
  schedulerId: Type.String({ minLength: 1, default: `${hostname()}-${process.pid}` }),
  cpuRatio: Type.Number({ exclusiveMinimum: 0, default: 4 }),
  ramRatio: Type.Number({ exclusiveMinimum: 0, default: 1 }),
  diskRatio: Type.Number({ exclusiveMinimum: 0, default: 1 }),
  weigher: Type.Union([Type.Literal('spread'), Type.Literal('pack')], { default: 'spread' }),
  /** etcd's `--max-txn-ops` (128 unless etcd is started with more; production: 4096). */
  maxTxnOps: Type.Integer({ minimum: 16, default: 128 }),
  /** Keep one transaction under etcd's `--max-request-bytes` (1.5 MiB by default). */
  maxTxnBytes: Type.Integer({ minimum: 65_536, default: 1_048_576 }),
  /** TTL of the leadership lease: how long a dead leader blocks a standby. */
  leaseTtlSeconds: Type.Integer({ minimum: 1, default: 10 }),
  /** A host with VMs but no liveness key when a leader starts is declared lost after this. */
  hostLostGraceMs: Type.Integer({ minimum: 0, default: 30_000 }),
  logLevel: Type.String({ default: 'info' }),
});
export type SchedulerConfig = Static<typeof SchedulerConfig>;

export type PlacementPolicy = Pick<SchedulerConfig, 'cpuRatio' | 'ramRatio' | 'diskRatio' | 'weigher'>;

export const DEFAULT_POLICY: PlacementPolicy = { cpuRatio: 4, ramRatio: 1, diskRatio: 1, weigher: 'spread' };
