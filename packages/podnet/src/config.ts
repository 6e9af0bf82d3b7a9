import { type Static, Type } from '@nubo/shared';

export const Transport = Type.Union([Type.Literal('vxlan'), Type.Literal('vlan')]);
export type Transport = Static<typeof Transport>;

/**
 * How PodNet is wired into the region. Loaded with `loadConfig` (env prefix
 * NUBO_, e.g. NUBO_PUBLIC_BRIDGE). The `*Netns` settings name the namespace
 * that holds the public bridge or the private interface: empty means the
 * machine's own (production); tests put them in namespaces they made.
 */
export const PodnetConfig = Type.Object(
  {
    etcdEndpoints: Type.Array(Type.String(), { default: ['http://127.0.0.1:2379'] }),
    etcdPrefix: Type.String({ default: '/nubo/' }),
    /** Routers are namespaces named `<namespacePrefix><project id>`; only those are ever removed. */
    namespacePrefix: Type.String({ pattern: '^[a-z0-9-]{1,20}$', default: 'nubo-p' }),
    runDir: Type.String({ minLength: 1, default: '/run/nubo/podnet' }),
    publicBridge: Type.String({ minLength: 1, maxLength: 15, default: 'br-public' }),
    publicNetns: Type.String({ default: '' }),
    transport: Type.Union([Type.Literal('vxlan'), Type.Literal('vlan')], { default: 'vxlan' }),
    /** VLAN: the interface that carries the tagged private networks. */
    privateInterface: Type.String({ maxLength: 15, default: 'eth1' }),
    privateNetns: Type.String({ default: '' }),
    /** VXLAN over IPv6: the underlay device and address, and the multicast group of the VTEPs. */
    vxlanDevice: Type.String({ maxLength: 15, default: 'eth1' }),
    vxlanLocal: Type.String({ default: '' }),
    vxlanGroup: Type.String({ default: 'ff05::4789' }),
    vxlanPort: Type.Integer({ minimum: 1, maximum: 65535, default: 4789 }),
    /** Where the per-router metadata proxy forwards guests' requests. */
    metadataUrl: Type.String({ default: 'http://[::1]:8775' }),
    proxyPort: Type.Integer({ minimum: 1, maximum: 65535, default: 8775 }),
    reconcileIntervalMs: Type.Integer({ minimum: 100, default: 30_000 }),
    logLevel: Type.String({ default: 'info' }),
  },
  { additionalProperties: false },
);
export type PodnetConfig = Static<typeof PodnetConfig>;
