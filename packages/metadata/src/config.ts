import { Type } from '@nubo/shared';

export const DEFAULT_METADATA_PORT = 8775;

/** The metadata service's settings; env names are NUBO_ + upper snake case (see docs/metadata.md). */
export const MetadataConfig = Type.Object({
  etcdEndpoints: Type.Array(Type.String({ minLength: 1 }), {
    minItems: 1,
    default: ['http://127.0.0.1:2379'],
  }),
  prefix: Type.String({ minLength: 1, default: '/nubo/' }),
  host: Type.String({ minLength: 1, default: '::' }),
  port: Type.Integer({ minimum: 0, maximum: 65535, default: DEFAULT_METADATA_PORT }),
  /** Addresses or CIDR blocks whose X-Forwarded-For is believed (the project routers' proxies). */
  trustedProxies: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
  /** Key that signs EC2 session tokens; set the same value on every replica. Random per process if empty. */
  ec2TokenSecret: Type.String({ default: '' }),
  /** Refuse EC2 requests without a session token (IMDSv2 only). */
  ec2RequireToken: Type.Boolean({ default: false }),
  logLevel: Type.String({ default: 'info' }),
});
