import { NuboError } from '@nubo/shared';
import type { FastifyInstance } from 'fastify';
import { type Askers, JSON_TYPE, sendText } from '../app.js';
import type { VmContext } from '../context.js';

/** Nubo's own JSON, read by the init agent (docs/metadata.md). */
export function registerNuboRoutes(app: FastifyInstance, { askerOf, serveText }: Askers): void {
  // Serialized once per asker (serveText). A string, not a Buffer: node
  // writes headers and a string body as one chunk, a Buffer body as two
  // (measured: 3–5 µs more per request).
  app.get('/v1/instance', (request, reply) => {
    serveText(request, reply, JSON_TYPE, ({ context }) => JSON.stringify(instanceJson(context)));
  });
  app.get('/v1/instance/ssh-keys', async (request, reply) => ({
    sshKeys: sshKeysJson(askerOf(request, reply).context),
  }));
  app.get('/v1/instance/network', async (request, reply) => ({
    interfaces: askerOf(request, reply).context.interfaces,
  }));
  app.get('/v1/instance/user-data', (request, reply) => {
    const { userData } = askerOf(request, reply).context;
    if (userData === undefined) throw new NuboError('NUBO_NOT_FOUND', 'this VM has no user-data');
    sendText(reply, userData);
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
