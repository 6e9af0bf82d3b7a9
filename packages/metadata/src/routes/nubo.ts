import { NuboError } from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { type AskerOf, sendText } from '../app.js';
import type { VmContext } from '../context.js';

/** Nubo's own JSON, read by the init agent (docs/metadata.md). */
export function registerNuboRoutes(app: FastifyInstance, askerOf: AskerOf): void {
  // Serialized and encoded once per context (contexts are cached until the
  // index changes): a Buffer is sent as it is, with no length scan or encoding per request.
  const serialized = new WeakMap<VmContext, Buffer>();
  app.get('/v1/instance', async (request, reply) => {
    const { context } = askerOf(request, reply);
    let body = serialized.get(context);
    if (body === undefined) {
      body = Buffer.from(JSON.stringify(instanceJson(context)));
      serialized.set(context, body);
    }
    return reply.type('application/json; charset=utf-8').send(body);
  });
  app.get('/v1/instance/ssh-keys', async (request, reply) => ({
    sshKeys: sshKeysJson(askerOf(request, reply).context),
  }));
  app.get('/v1/instance/network', async (request, reply) => ({
    interfaces: askerOf(request, reply).context.interfaces,
  }));
  app.get('/v1/instance/user-data', async (request, reply) => {
    const { userData } = askerOf(request, reply).context;
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
