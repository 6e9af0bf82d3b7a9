export { type Static, type TSchema, Type } from '@sinclair/typebox';
export {
  addResources,
  emptyAllocation,
  NO_RESOURCES,
  releaseVm,
  reserveVm,
  resourcesOf,
  subtractResources,
} from './allocation.js';
export { Backoff } from './backoff.js';
export { type ConfigSource, envName, loadConfig } from './config.js';
export {
  ConflictError,
  type ErrorCode,
  ErrorCodes,
  type ErrorDetail,
  fieldError,
  isNuboError,
  NuboError,
} from './errors.js';
export { eui64ToMac, isEui64, macToEui64, macToInterfaceId, macToLinkLocal } from './eui64.js';
export {
  type CheckOptions,
  type CheckReport,
  checkRegion,
  DEFAULT_OVERCOMMIT,
  DEFAULT_REQUEST_BOUND_MS,
  type HostObservation,
  type Violation,
} from './invariants/index.js';
export { formatIpv6, normalizeIpv6, parseIpv6, parsePrefix64 } from './ipv6.js';
export { DEFAULT_PREFIX, type Keys, keyLayout } from './keys.js';
export { createLogger, type Logger, type LoggerSettings, REDACTED_PATHS } from './logger.js';
export { DEFAULT_MAC_PREFIX, formatMac, normalizeMac, parseMac, randomMac } from './mac.js';
export { MacAllocator, type MacOwner } from './mac-allocator.js';
export * from './schemas/index.js';
export {
  assertDaemonMove,
  canDaemonMove,
  DAEMON_TRANSITIONS,
  isStable,
  nextState,
  STABLE_STATES,
  USER_TRANSITIONS,
  VM_STATES,
  VmAction,
  VmState,
} from './state-machine.js';
export { AsyncQueue } from './store/async-queue.js';
export {
  type CommitAndReadResult,
  type CommitAndReadSpec,
  commitAndRead,
  type Guarded,
} from './store/commit-and-read.js';
export type { Entry, OnInvalid } from './store/entry.js';
export { type FollowOptions, follow } from './store/follow.js';
export { ETCD_DEFAULT_MAX_TXN_OPS, GroupCommit } from './store/group-commit.js';
export { installFastInt64Strings } from './store/int64-strings.js';
export { LeaseHandle } from './store/lease.js';
export { DEFAULT_READ_CHUNK, readMany } from './store/read-many.js';
export { isStoreFault } from './store/rpc-errors.js';
export { DEFAULT_CALL_TIMEOUT_MS, Store, type StoreOptions } from './store/store.js';
export { Txn } from './store/txn.js';
export { CompactedError, type WatchChange, type WatchEvent } from './store/watch.js';
export { DEFAULT_SIZE_UNIT, formatSize, parseSize, parseSizeMiB } from './units.js';
export { ajv, isValid, precompile, toDetails, validate } from './validate.js';
