import { isNuboError, type Logger, NuboError } from '@nubo/shared';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { AskerCache, type CachedAsker } from './asker-cache.js';
import { Ec2Tokens } from './ec2-token.js';
import { FORWARDED_HEADER, PROJECT_HEADER, requesterAddress, TrustedProxies } from './requester.js';
import { registerEc2Routes } from './routes/ec2.js';
import { registerNocloudRoutes } from './routes/nocloud.js';
import { registerNuboRoutes } from './routes/nubo.js';
import { registerOpenstackRoutes } from './routes/openstack.js';
import type { VmIndex } from './vm-index.js';

export interface MetadataDeps {
  index: VmIndex;
  /** Peers whose X-Forwarded-For is believed (addresses or CIDR blocks). */
  trustedProxies?: readonly string[];
  ec2TokenSecret?: string;
  ec2RequireToken?: boolean;
  /** False until the index has listed etcd once; requests then get 503. */
  isReady?: () => boolean;
  logger?: Logger;
}

/** What every route gets: who is asking, that VM's context, and the answers already made from it. */
export type Asker = CachedAsker;

export type AskerOf = (request: FastifyRequest, reply: FastifyReply) => Asker;

export const TEXT_TYPE = 'text/plain; charset=utf-8';
export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Sends the text answer `make` gives for the asker, made once per request
 * key until the index changes; false (nothing sent) when `make` has no answer.
 * For answers that depend on nothing but the asker and the URL.
 */
export type ServeText = (
  request: FastifyRequest,
  reply: FastifyReply,
  type: string,
  make: (asker: Asker) => string | undefined,
) => boolean;

export interface Askers {
  askerOf: AskerOf;
  serveText: ServeText;
}

/**
 * The metadata service as a fastify instance (not listening; main.ts does
 * that). Every answer is about the VM that asks, found from the source
 * address alone; no route takes a VM id, so no path or header reaches another VM.
 */
export function buildMetadataApp(deps: MetadataDeps): FastifyInstance {
  const app: FastifyInstance = Fastify({
    // No logger in fastify itself: a child logger per request costs more than
    // the answer; errors are logged by our error handler.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    bodyLimit: 1024,
  });
  const trusted = new TrustedProxies(deps.trustedProxies ?? []);
  const isReady = deps.isReady ?? (() => true);
  const cache = new AskerCache(deps.index);
  // Answers are about one VM at one moment: never cached by anything between.
  const askAt = (request: FastifyRequest, reply: FastifyReply, peer: string, address: string): Asker => {
    reply.header('cache-control', 'no-store');
    if (!isReady()) throw new NuboError('NUBO_STORE_UNAVAILABLE', 'the metadata index is still loading');
    const asker = cache.resolve(address);
    checkProject(asker, namedProject(request, peer, trusted));
    return asker;
  };
  const askerOf: AskerOf = (request, reply) => {
    const peer = request.socket.remoteAddress ?? '';
    return askAt(request, reply, peer, requesterAddress(peer, request.headers[FORWARDED_HEADER], trusted));
  };
  // The answer depends on the URL, the requester's address (after the trust
  // decision) and the index; the project a trusted proxy names only decides
  // whether the asker may have it (as checkProject does).
  const serveText: ServeText = (request, reply, type, make) => {
    const peer = request.socket.remoteAddress ?? '';
    const address = requesterAddress(peer, request.headers[FORWARDED_HEADER], trusted);
    const kept = isReady() ? cache.text(request.url, address) : undefined;
    const project = kept && namedProject(request, peer, trusted);
    let text: string | undefined;
    if (kept !== undefined && (project === undefined || project === kept.projectId)) {
      reply.header('cache-control', 'no-store');
      text = kept.text;
    } else {
      const asker = askAt(request, reply, peer, address);
      text = make(asker);
      if (text === undefined) return false;
      cache.keepText(request.url, address, { text, projectId: asker.context.projectId });
    }
    reply.type(type).send(text);
    return true;
  };
  const askers: Askers = { askerOf, serveText };
  app.setErrorHandler((err, _request, reply) => sendError(reply, err, deps.logger));
  app.setNotFoundHandler((request, reply) => {
    sendError(reply, new NuboError('NUBO_NOT_FOUND', `no metadata at ${request.url}`));
  });
  app.get('/health', async () => ({ ok: true, ready: isReady(), vms: deps.index.size }));
  registerNuboRoutes(app, askers);
  registerOpenstackRoutes(app, askerOf);
  registerNocloudRoutes(app, askerOf);
  registerEc2Routes(app, askers, {
    tokens: new Ec2Tokens(deps.ec2TokenSecret ?? ''),
    requireToken: deps.ec2RequireToken ?? false,
  });
  return app;
}

/** The project a trusted proxy names for its router (PodNet sets it); undefined from anyone else. */
function namedProject(request: FastifyRequest, peer: string, trusted: TrustedProxies): string | undefined {
  const header = request.headers[PROJECT_HEADER];
  if (header === undefined || !trusted.has(peer)) return undefined;
  return Array.isArray(header) ? header[0] : header;
}

/**
 * A trusted proxy also names the project its router serves; the VM must be in
 * it. This stops a guest that copies another project's MAC even where the
 * address cannot (a link-local address carries no prefix).
 */
function checkProject(asker: Asker, project: string | undefined) {
  if (project !== undefined && project !== asker.context.projectId) {
    throw new NuboError('NUBO_NOT_FOUND', `no VM is known at ${asker.requester.address}`, {
      details: [{ field: 'address', message: "no VM of the router's project has this address" }],
    });
  }
}

function sendError(reply: FastifyReply, err: unknown, log?: Logger): void {
  const nubo = toNuboError(err);
  if (nubo.status >= 500) log?.error({ err }, 'metadata request failed');
  void reply.code(nubo.status).type('application/json').send(nubo.toJSON());
}

function toNuboError(err: unknown): NuboError {
  if (isNuboError(err)) return err;
  const status = (err as { statusCode?: number }).statusCode;
  if (status === 413) return new NuboError('NUBO_PAYLOAD_TOO_LARGE');
  if (status === 415) return new NuboError('NUBO_UNSUPPORTED_MEDIA');
  if (status !== undefined && status >= 400 && status < 500) {
    return new NuboError('NUBO_VALIDATION', (err as Error).message);
  }
  return new NuboError('NUBO_INTERNAL');
}

/**
 * Plain text answers (cloud-init's EC2 and OpenStack readers expect text, not
 * JSON, for leaves). Routes that send are plain functions that return nothing:
 * an async handler returning the reply makes fastify wait on the reply as a
 * thenable, which cost a sixth of a request's CPU (docs/performance.md).
 */
export function sendText(reply: FastifyReply, text: string): void {
  reply.type(TEXT_TYPE).send(text);
}
