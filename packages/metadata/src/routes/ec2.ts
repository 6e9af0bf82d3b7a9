import { NuboError } from '@nubo/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Asker, type Askers, sendText, TEXT_TYPE } from '../app.js';
import { type Ec2Tokens, TOKEN_HEADER, TOKEN_TTL_HEADER } from '../ec2-token.js';
import { ec2MetaData, listing, walk } from './ec2-tree.js';

export interface Ec2Options {
  tokens: Ec2Tokens;
  requireToken: boolean;
}

type Ec2Request = FastifyRequest<{ Params: { version: string; '*'?: string } }>;
const VERSION = /^(latest|\d{4}-\d{2}-\d{2}|1\.0)$/;

/** The EC2 layout: `/<version>/meta-data/...`, `/<version>/user-data`, IMDSv2 session tokens. */
export function registerEc2Routes(app: FastifyInstance, askers: Askers, options: Ec2Options): void {
  const { askerOf, serveText } = askers;
  const askEc2 = (request: Ec2Request, reply: FastifyReply): Asker => {
    if (!VERSION.test(request.params.version)) {
      throw new NuboError('NUBO_NOT_FOUND', `no metadata at ${request.url}`);
    }
    const asker = askerOf(request, reply);
    checkToken(request, asker, options);
    return asker;
  };
  app.get('/', (request, reply) => {
    askerOf(request, reply);
    sendText(reply, ['1.0', '2009-04-04', 'latest'].join('\n'));
  });
  app.put('/latest/api/token', (request, reply) => {
    const { requester } = askerOf(request, reply);
    const { token, ttl } = options.tokens.issue(requester.mac, request.headers[TOKEN_TTL_HEADER]);
    reply.header(TOKEN_TTL_HEADER, String(ttl));
    sendText(reply, token);
  });
  app.get('/:version', (request: Ec2Request, reply) => {
    const { context } = askEc2(request, reply);
    sendText(reply, ['dynamic', 'meta-data', ...(context.userData ? ['user-data'] : [])].join('\n'));
  });
  app.get('/:version/user-data', (request: Ec2Request, reply) => {
    const { userData } = askEc2(request, reply).context;
    if (userData === undefined) throw new NuboError('NUBO_NOT_FOUND', 'this VM has no user-data');
    reply.type('application/octet-stream').send(Buffer.from(userData));
  });
  // A token, when sent or required, is checked on every request; the text is
  // then made once per URL and asker (serveText).
  const metaData = (request: Ec2Request, reply: FastifyReply) => {
    if (options.requireToken || request.headers[TOKEN_HEADER] !== undefined) askEc2(request, reply);
    const { version, '*': path = '' } = request.params;
    const make = (asker: Asker) => (VERSION.test(version) ? answerOf(asker, path) : undefined);
    if (!serveText(request, reply, TEXT_TYPE, make)) {
      throw new NuboError('NUBO_NOT_FOUND', `no metadata at ${request.url}`);
    }
  };
  app.get('/:version/meta-data', metaData);
  app.get('/:version/meta-data/*', metaData);
  app.get('/:version/dynamic/instance-identity/document', async (request: Ec2Request, reply) => {
    const { context } = askEc2(request, reply);
    return {
      instanceId: context.instanceId,
      imageId: context.imageId,
      instanceType: `nubo.c${context.cpus}.m${context.ramMiB}`,
      accountId: context.projectId,
      region: 'nubo',
      availabilityZone: 'nubo',
      architecture: 'x86_64',
      version: '2017-09-30',
    };
  });
}

/**
 * The text at a meta-data path, or undefined. The tree is made once per asker
 * (see AnswerMemo) and each text once per URL (serveText): a booting guest
 * asks the same few paths many times.
 */
function answerOf({ context, memo }: Asker, path: string): string | undefined {
  memo.ec2 ??= ec2MetaData(context);
  const segments = path.split('/').filter(Boolean);
  const node = walk(memo.ec2, segments);
  if (node === undefined) return undefined;
  return typeof node === 'string' ? node : listing(node, segments, context);
}

/** A token, when sent, must be valid for this VM; without one the request passes unless IMDSv2 is required. */
function checkToken(request: FastifyRequest, asker: Asker, options: Ec2Options): void {
  const header = request.headers[TOKEN_HEADER];
  const token = Array.isArray(header) ? header[0] : header;
  if (token !== undefined) options.tokens.verify(asker.requester.mac, token);
  else if (options.requireToken) {
    throw new NuboError('NUBO_UNAUTHENTICATED', 'this region requires an EC2 metadata session token', {
      details: [{ field: TOKEN_HEADER, message: 'ask PUT /latest/api/token first' }],
    });
  }
}
