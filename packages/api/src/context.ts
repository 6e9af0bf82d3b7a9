import { type Keys, type Logger, MacAllocator, type Store, type User } from '@nubo/shared';
import type { ApiConfig } from './config.js';
import type { ApiMetrics } from './metrics.js';
import { KeyedQueue } from './services/retry.js';

/** What `buildApi` needs from its caller. */
export interface ApiDeps {
  store: Store;
  keys: Keys;
  config: Readonly<ApiConfig>;
  logger: Logger;
}

/** What every route module receives. */
export interface ApiContext extends ApiDeps {
  macs: MacAllocator;
  metrics: ApiMetrics;
  /** VM creates of one project run one at a time in this process (see KeyedQueue). */
  createQueue: KeyedQueue;
}

export function createContext(deps: ApiDeps, metrics: ApiMetrics): ApiContext {
  return { ...deps, macs: new MacAllocator(deps.store, deps.keys), metrics, createQueue: new KeyedQueue() };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, set by the auth hook on every `/v1` route. */
    user: User;
  }
}
