/** One broken promise, found by the invariant checker. */
export interface Violation {
  /** A stable rule name, e.g. `vm.valid`, `capacity.exceeded`, `mac.unique`. */
  rule: string;
  /** The etcd key or machine object the violation is about. */
  subject: string;
  message: string;
}

/** What a host really has, as its driver and the kernel report it. */
export interface HostObservation {
  host: string;
  /** Names of the hypervisor's domains (`nubo-<vm uuid>` for Nubo's). */
  domains: string[];
  /** VM ids that have a disk (overlay) on this host. */
  disks?: string[];
  /** Tap devices Nubo made on this host, with the VM id each belongs to. */
  taps?: { name: string; vmId: string }[];
}

export interface CheckOptions {
  /** Allowed CPU/RAM/disk overcommit: reserved ≤ capacity × ratio. */
  overcommit?: { cpu: number; ram: number; disk: number };
  /** A request older than this, still unclaimed, is stuck. */
  requestBoundMs?: number;
  now?: Date;
  /** Hosts as observed; checks that need them are skipped for hosts not listed. */
  observations?: HostObservation[];
  /** Network namespaces present on the PodNet appliance (names `nubo-p…`). */
  namespaces?: string[];
  /** Maps a namespace name to its project id (PodNet's naming); needed with `namespaces`. */
  projectOfNamespace?: (name: string) => string | undefined;
}

export const DEFAULT_OVERCOMMIT = { cpu: 1, ram: 1, disk: 1 } as const;
export const DEFAULT_REQUEST_BOUND_MS = 60_000;
