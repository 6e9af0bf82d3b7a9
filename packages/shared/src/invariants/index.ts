export { type CheckReport, checkRegion } from './check.js';
export {
  type CheckOptions,
  DEFAULT_OVERCOMMIT,
  DEFAULT_REQUEST_BOUND_MS,
  type HostObservation,
  type Violation,
} from './types.js';
