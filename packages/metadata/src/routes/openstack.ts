import { NuboError } from '@nubo/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AskerOf, sendText } from '../app.js';
import type { VmContext } from '../context.js';

/** The OpenStack metadata versions we answer to; cloud-init picks the newest it knows. */
export const OPENSTACK_VERSIONS = [
  '2012-08-10',
  '2013-04-04',
  '2013-10-17',
  '2015-10-15',
  '2016-06-30',
  '2016-10-06',
  '2017-02-22',
  '2018-08-27',
  'latest',
];
const VERSION_SET = new Set(OPENSTACK_VERSIONS);
const FILES = ['meta_data.json', 'network_data.json', 'user_data', 'vendor_data.json', 'vendor_data2.json'];

type VersionRequest = FastifyRequest<{ Params: { version: string } }>;

/** The OpenStack layout under /openstack (what cloud-init's OpenStack datasource reads). */
export function registerOpenstackRoutes(app: FastifyInstance, askerOf: AskerOf): void {
  const contextAt = (request: VersionRequest, reply: FastifyReply): VmContext => {
    const { context } = askerOf(request, reply);
    if (!VERSION_SET.has(request.params.version)) {
      throw new NuboError(
        'NUBO_NOT_FOUND',
        `OpenStack metadata version ${request.params.version} is not served`,
      );
    }
    return context;
  };
  app.get('/openstack', (request, reply) => {
    askerOf(request, reply);
    sendText(reply, OPENSTACK_VERSIONS.join('\n'));
  });
  app.get('/openstack/:version', (request: VersionRequest, reply) => {
    const context = contextAt(request, reply);
    sendText(reply, FILES.filter((f) => f !== 'user_data' || context.userData !== undefined).join('\n'));
  });
  app.get('/openstack/:version/meta_data.json', async (request: VersionRequest, reply) =>
    metaData(contextAt(request, reply)),
  );
  app.get('/openstack/:version/network_data.json', async (request: VersionRequest, reply) =>
    networkData(contextAt(request, reply)),
  );
  app.get('/openstack/:version/vendor_data.json', async (request: VersionRequest, reply) => {
    contextAt(request, reply);
    return {};
  });
  app.get('/openstack/:version/vendor_data2.json', async (request: VersionRequest, reply) => {
    contextAt(request, reply);
    return {};
  });
  app.get('/openstack/:version/user_data', (request: VersionRequest, reply) => {
    const { userData } = contextAt(request, reply);
    if (userData === undefined) throw new NuboError('NUBO_NOT_FOUND', 'this VM has no user-data');
    reply.type('application/octet-stream').send(Buffer.from(userData));
  });
}

/** Key names must be unique in `public_keys`; a repeated name gets its key id appended. */
function publicKeys(context: VmContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of context.sshKeys)
    out[key.name in out ? `${key.name}-${key.id}` : key.name] = key.publicKey;
  return out;
}

function metaData(context: VmContext) {
  return {
    uuid: context.instanceId,
    name: context.name,
    hostname: context.hostname,
    project_id: context.projectId,
    availability_zone: 'nubo',
    launch_index: 0,
    public_keys: publicKeys(context),
    keys: context.sshKeys.map((k) => ({ name: k.name, type: 'ssh', data: k.publicKey })),
    meta: {},
    devices: [],
  };
}

/** Every NIC takes its address by SLAAC (RFC 4862) from the project router's advertisements. */
function networkData(context: VmContext) {
  return {
    links: context.interfaces.map((nic, i) => ({
      id: `nic${i}`,
      type: 'phy',
      ethernet_mac_address: nic.mac,
      mtu: null,
      vif_id: nic.networkId,
    })),
    networks: context.interfaces.map((nic, i) => ({
      id: `network${i}`,
      type: 'ipv6_slaac',
      link: `nic${i}`,
      network_id: nic.networkId,
    })),
    services: [],
  };
}
