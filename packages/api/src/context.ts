import {
  Image,
  type Keys,
  type Logger,
  MacAllocator,
  Network,
  Project,
  QuotaUsage,
  SshKey,
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
    /** What a VM create reads (see vm-refs.ts): compared by revision in its transaction. */
    images: WatchedRecords<typeof Image>;
    networks: WatchedRecords<typeof Network>;
    sshKeys: WatchedRecords<typeof SshKey>;
    usage: WatchedRecords<typeof QuotaUsage>;
    /** The names index of networks, SSH keys and images (values are ids). */
    names: WatchedRecords<TSchema>;
  };
}

export function createContext(deps: ApiDeps, metrics: ApiMetrics): ApiContext {
  const watched = <S extends TSchema>(prefix: string, schema: S | undefined) =>
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
      images: watched(deps.keys.images.prefix, Image),
      networks: watched(deps.keys.networks.prefix, Network),
      sshKeys: watched(deps.keys.sshKeys.prefix, SshKey),
      usage: watched(deps.keys.quotaUsage.one(''), QuotaUsage),
      names: watched<TSchema>(`${deps.keys.prefix}index/names/`, undefined),
    },
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, set by the auth hook on every `/v1` route. */
    user: User;
  }
}
