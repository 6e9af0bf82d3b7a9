/**
 * One registry of error codes. Each code has a stable name, an HTTP status and a
 * default message; `docs/errors.md` lists them all and a test keeps the two in sync.
 */
export const ErrorCodes = {
  NUBO_VALIDATION: { status: 400, message: 'The request is not valid' },
  NUBO_BAD_JSON: { status: 400, message: 'The body is not valid JSON' },
  NUBO_BAD_UNIT: { status: 400, message: 'The size is not a valid amount with a unit' },
  NUBO_BAD_MAC: { status: 400, message: 'The value is not a valid MAC address' },
  NUBO_BAD_IPV6: { status: 400, message: 'The value is not a valid IPv6 address or prefix' },
  NUBO_NOT_EUI64: { status: 404, message: 'The address is not an EUI-64 address' },
  NUBO_UNAUTHENTICATED: { status: 401, message: 'A valid bearer token is required' },
  NUBO_FORBIDDEN: { status: 403, message: 'This action needs the admin role' },
  NUBO_NOT_FOUND: { status: 404, message: 'The resource does not exist' },
  NUBO_ALREADY_EXISTS: { status: 409, message: 'A resource with this name or id already exists' },
  NUBO_CONFLICT: { status: 409, message: 'The resource changed meanwhile; read it again and retry' },
  NUBO_INVALID_TRANSITION: { status: 409, message: 'The VM cannot do this in its current state' },
  NUBO_QUOTA_EXCEEDED: { status: 409, message: 'The project quota does not allow this' },
  NUBO_GRACE_EXPIRED: { status: 409, message: 'The grace period for restoring this resource has ended' },
  NUBO_IN_USE: { status: 409, message: 'The resource is still in use' },
  NUBO_PAYLOAD_TOO_LARGE: { status: 413, message: 'The body is too large' },
  NUBO_UNSUPPORTED_MEDIA: { status: 415, message: 'The content type is not supported' },
  NUBO_EXHAUSTED: { status: 503, message: 'No free value is left in the pool' },
  NUBO_NO_CAPACITY: { status: 503, message: 'No host can take this VM' },
  NUBO_WATCH_COMPACTED: { status: 500, message: 'The watched revision was compacted; list again' },
  NUBO_STORE_CORRUPT: { status: 500, message: 'A record in etcd does not match its schema' },
  NUBO_STORE_UNAVAILABLE: { status: 503, message: 'etcd cannot be reached' },
  NUBO_CONFIG: { status: 500, message: 'The configuration is not valid' },
  NUBO_DEPENDENCY_MISSING: { status: 500, message: 'A required program is not installed' },
  NUBO_COMMAND_FAILED: { status: 500, message: 'An external command failed' },
  NUBO_HYPERVISOR: { status: 502, message: 'The hypervisor reported an error' },
  NUBO_INTERNAL: { status: 500, message: 'Internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ErrorCodes;

/** One problem with one field of the input; `field` is a JSON pointer such as `/ram`. */
export interface ErrorDetail {
  field: string;
  message: string;
}

export interface NuboErrorOptions {
  details?: ErrorDetail[];
  cause?: unknown;
}

export class NuboError extends Error {
  override name = 'NuboError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message?: string, options: NuboErrorOptions = {}) {
    super(message ?? ErrorCodes[code].message, { cause: options.cause });
    this.code = code;
    this.status = ErrorCodes[code].status;
    this.details = options.details ?? [];
  }

  /** The wire shape: `{ error: { code, message, details } }`. */
  toJSON(): { error: { code: ErrorCode; message: string; details: ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** A transaction lost a race: one of the keys it compared changed. */
export class ConflictError extends NuboError {
  override name = 'ConflictError';
  readonly keys: string[];
  constructor(keys: string[], message?: string) {
    super('NUBO_CONFLICT', message ?? `Changed meanwhile: ${keys.join(', ')}`);
    this.keys = keys;
  }
}

export function isNuboError(err: unknown, code?: ErrorCode): err is NuboError {
  return err instanceof NuboError && (code === undefined || err.code === code);
}

/** A validation error about one field. */
export function fieldError(code: ErrorCode, field: string, message: string): NuboError {
  return new NuboError(code, `${field}: ${message}`, { details: [{ field, message }] });
}
