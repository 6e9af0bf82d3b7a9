import {
  type Keys,
  type Logger,
  MacAllocator,
  Project,
  type Store,
  Token,
  type TSchema,
  User,
} from '@nubo/shared';
import type { ApiConfig } from './config.js';
import type { ApiMetrics } from './metrics.js';
import { KeyedQueue } from './services/retry.js';
import { WatchedRecords } from './services/watched.js';

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
  /** Watched copies of the records every request reads (see WatchedRecords). */
  cache: {
    tokens: WatchedRecords<typeof Token>;
    users: WatchedRecords<typeof User>;
    projects: WatchedRecords<typeof Project>;
  };
}

export function createContext(deps: ApiDeps, metrics: ApiMetrics): ApiContext {
  const watched = <S extends TSchema>(prefix: string, schema: S) =>
    new WatchedRecords(deps.store, prefix, schema, deps.logger).start();
  return {
    ...deps,
    macs: new MacAllocator(deps.store, deps.keys),
    metrics,
    createQueue: new KeyedQueue(),
    cache: {
      tokens: watched(deps.keys.tokens.prefix, Token),
      users: watched(deps.keys.users.prefix, User),
      projects: watched(deps.keys.projects.prefix, Project),
    },
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, set by the auth hook on every `/v1` route. */
    user: User;
  }
}
