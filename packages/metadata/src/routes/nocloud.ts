import type { FastifyInstance } from 'fastify';
import { type AskerOf, sendText } from '../app.js';
import type { VmContext } from '../context.js';

/**
 * NoCloud-net (seedfrom=http://<service>/nocloud/). meta-data and
 * network-config are written as JSON, which is YAML too, so nothing a user
 * chose (a key comment, a name) can break the YAML.
 */
export function registerNocloudRoutes(app: FastifyInstance, askerOf: AskerOf): void {
  app.get('/nocloud', (request, reply) => {
    askerOf(request, reply);
    sendText(reply, 'meta-data\nuser-data\nvendor-data\nnetwork-config');
  });
  app.get('/nocloud/meta-data', (request, reply) =>
    sendText(reply, `${JSON.stringify(metaData(askerOf(request, reply).context), null, 2)}\n`),
  );
  app.get('/nocloud/user-data', (request, reply) =>
    sendText(reply, askerOf(request, reply).context.userData ?? ''),
  );
  app.get('/nocloud/vendor-data', (request, reply) => {
    askerOf(request, reply);
    sendText(reply, '');
  });
  app.get('/nocloud/network-config', (request, reply) =>
    sendText(reply, `${JSON.stringify(networkConfig(askerOf(request, reply).context), null, 2)}\n`),
  );
}

function metaData(context: VmContext) {
  return {
    'instance-id': context.instanceId,
    'local-hostname': context.hostname,
    'public-keys': context.sshKeys.map((k) => k.publicKey),
  };
}

/** Network config v2: each NIC matched by MAC, addressed by router advertisements (SLAAC). */
function networkConfig(context: VmContext) {
  const ethernets: Record<string, unknown> = {};
  context.interfaces.forEach((nic, i) => {
    ethernets[`nic${i}`] = { match: { macaddress: nic.mac }, dhcp4: false, dhcp6: false, 'accept-ra': true };
  });
  return { version: 2, ethernets };
}
