import { DEFAULT_GRACE_DAYS, DEFAULT_PREFIX, loadConfig, type Static, Type } from '@nubo/shared';

/** The API's settings: defaults here, then `NUBO_*` env vars (e.g. `NUBO_ETCD_ENDPOINTS`, `NUBO_PORT`). */
export const ApiConfig = Type.Object(
  {
    etcdEndpoints: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      default: ['http://127.0.0.1:2379'],
    }),
    host: Type.String({ minLength: 1, default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    prefix: Type.String({ minLength: 1, default: DEFAULT_PREFIX }),
    /** The region's IPv6 /48: each network gets one /64 of it. */
    regionIpv6Prefix: Type.String({ pattern: '^[0-9a-fA-F:]+/48$', default: 'fd00:6e75:626f::/48' }),
    /**
     * The public /64 of the project routers' uplinks (PodNet). Empty: subnet 0 of
     * regionIpv6Prefix, the one networks never get.
     */
    routerUplinkPrefix: Type.String({ pattern: '^([0-9a-fA-F:]+/64)?$', default: '' }),
    /** The routers' upstream gateway; empty: `::1` of routerUplinkPrefix. */
    routerGatewayIpv6: Type.String({ pattern: '^[0-9a-fA-F:]*$', maxLength: 39, default: '' }),
    /** DNS servers every router announces to its guests (RDNSS). */
    routerDns: Type.Array(Type.String({ pattern: '^[0-9a-fA-F:]+$', maxLength: 39 }), {
      maxItems: 3,
      default: [],
    }),
    /** Networks get a segment (VLAN id or VNI) in 2..maxSegment; 4094 keeps VLAN transport possible. */
    maxSegment: Type.Integer({ minimum: 2, maximum: 16_777_215, default: 4094 }),
    /** Where uploaded files and imported images live (shared by every API copy, e.g. over NFS). */
    fileStoreDir: Type.String({ minLength: 1, default: '/var/lib/nubo/files' }),
    /** Days a deleted VM waits in the scrub queue of a new project. */
    defaultGraceDays: Type.Integer({ minimum: 0, maximum: 365, default: DEFAULT_GRACE_DAYS }),
    /** Largest JSON body in bytes. */
    bodyLimit: Type.Integer({ minimum: 1024, default: 64 * 1024 }),
    /** Largest uploaded file in bytes. */
    fileLimit: Type.Integer({ minimum: 1, default: 20 * 1024 ** 3 }),
    logLevel: Type.String({ default: 'info' }),
  },
  { additionalProperties: false },
);
export type ApiConfig = Static<typeof ApiConfig>;

export function loadApiConfig(overrides: Partial<ApiConfig> = {}, env = process.env): Readonly<ApiConfig> {
  return loadConfig(ApiConfig, {
    env,
    overrides,
    ...(env.NUBO_CONFIG_FILE ? { file: env.NUBO_CONFIG_FILE } : {}),
  });
}
