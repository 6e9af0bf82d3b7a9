import { NuboError } from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { type AskerOf, sendText } from '../app.js';
import type { VmContext } from '../context.js';

/** Nubo's own JSON, read by the init agent (docs/metadata.md). */
export function registerNuboRoutes(app: FastifyInstance, askerOf: AskerOf): void {
  app.get('/v1/instance', async (request) => instanceJson(askerOf(request).context));
  app.get('/v1/instance/ssh-keys', async (request) => ({ sshKeys: sshKeysJson(askerOf(request).context) }));
  app.get('/v1/instance/network', async (request) => ({
    interfaces: askerOf(request).context.interfaces,
  }));
  app.get('/v1/instance/user-data', async (request, reply) => {
    const { userData } = askerOf(request).context;
    if (userData === undefined) throw new NuboError('NUBO_NOT_FOUND', 'this VM has no user-data');
    return sendText(reply, userData);
  });
}

export function instanceJson(context: VmContext) {
  return {
    instanceId: context.instanceId,
    projectId: context.projectId,
    name: context.name,
    hostname: context.hostname,
    imageId: context.imageId,
    sshKeys: sshKeysJson(context),
    userData: context.userData ?? null,
    network: { interfaces: context.interfaces },
  };
}

function sshKeysJson(context: VmContext) {
  return context.sshKeys.map((k) => ({
    id: k.id,
    name: k.name,
    type: k.type,
    publicKey: k.publicKey,
    fingerprint: k.fingerprint,
  }));
}
