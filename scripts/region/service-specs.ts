// Which process runs with which settings in a local region.
import { join } from 'node:path';
import { METADATA_NODE_FLAGS } from '@nubo/metadata';
import type { RegionPlan } from './plan.js';
import type { ServiceSpec } from './services.js';

export interface RegionPorts {
  api: number;
  metadata: number;
  proxy: number;
}

export function serviceSpecs(
  plan: RegionPlan,
  etcd: string,
  ports: RegionPorts,
  scrubSeconds: number,
): ServiceSpec[] {
  const common = { NUBO_ETCD_ENDPOINTS: etcd, NUBO_LOG_LEVEL: 'info' };
  const files = join(plan.runDir, 'files');
  const libvirt = plan.driver.kind === 'libvirt';
  const specs: ServiceSpec[] = [
    {
      name: 'api',
      main: 'packages/api/dist/main.js',
      env: {
        ...common,
        NUBO_PORT: `${ports.api}`,
        NUBO_FILE_STORE_DIR: files,
        // The API writes each project's router (routers/<project>) with an uplink on the public /64.
        NUBO_ROUTER_UPLINK_PREFIX: plan.publicPrefix,
        NUBO_ROUTER_GATEWAY_IPV6: plan.publicGateway,
      },
    },
    { name: 'scheduler', main: 'packages/scheduler/dist/main.js', env: common },
    {
      name: 'host',
      main: 'packages/host/dist/main.js',
      env: {
        ...common,
        NUBO_HOSTNAME: plan.hostname,
        NUBO_DRIVER: libvirt ? 'libvirt' : 'fake',
        NUBO_DATA_DIR: join(plan.runDir, 'host'),
        NUBO_FILE_STORE: files,
        // The host daemon makes each network's bridge nb<tag><segment> itself
        // (packages/host/src/network-attach.ts), on the trunk's host end.
        ...(libvirt
          ? {
              NUBO_TRANSPORT: 'vxlan',
              NUBO_NETWORK_TAG: plan.tag,
              NUBO_VXLAN_DEVICE: plan.trunkHost,
              NUBO_VXLAN_LOCAL: plan.trunkHostAddress,
              NUBO_VXLAN_GROUP: plan.vxlanGroup,
              NUBO_VXLAN_PORT: `${plan.vxlanPort}`,
            }
          : {}),
      },
    },
    {
      name: 'metadata',
      main: 'packages/metadata/dist/main.js',
      nodeFlags: METADATA_NODE_FLAGS,
      env: { ...common, NUBO_PORT: `${ports.metadata}`, NUBO_TRUSTED_PROXIES: plan.publicPrefix },
    },
    {
      name: 'lifecycle',
      main: 'packages/lifecycle/dist/main.js',
      env: { ...common, NUBO_SCRUB_INTERVAL_SECONDS: `${scrubSeconds}` },
    },
  ];
  if (libvirt)
    specs.push({
      name: 'podnet',
      main: 'packages/podnet/dist/main.js',
      env: {
        ...common,
        NUBO_NAMESPACE_PREFIX: plan.routerPrefix,
        NUBO_RUN_DIR: join(plan.runDir, 'podnet'),
        NUBO_PUBLIC_BRIDGE: plan.publicBridge,
        NUBO_TRANSPORT: 'vxlan',
        NUBO_VXLAN_DEVICE: plan.trunkPodnet,
        NUBO_VXLAN_LOCAL: plan.trunkPodnetAddress,
        NUBO_VXLAN_GROUP: plan.vxlanGroup,
        NUBO_VXLAN_PORT: `${plan.vxlanPort}`,
        NUBO_PRIVATE_NETNS: plan.lanNetns,
        NUBO_METADATA_URL: `http://[${plan.publicGateway}]:${ports.metadata}`,
        NUBO_PROXY_PORT: `${ports.proxy}`,
      },
    });
  return specs;
}
