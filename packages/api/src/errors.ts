import { ErrorCodes, type ErrorDetail, isNuboError, NuboError, toDetails } from '@nubo/shared';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** fastify's own error codes and the Nubo code each becomes. */
const FASTIFY_CODES: Readonly<Record<string, keyof typeof ErrorCodes>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'NUBO_BAD_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'NUBO_BAD_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'NUBO_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'NUBO_VALIDATION',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'NUBO_UNSUPPORTED_MEDIA',
  // The router's own refusals, before any route runs (fastify's frameworkErrors).
  FST_ERR_BAD_URL: 'NUBO_VALIDATION',
  FST_ERR_MAX_PARAM_LENGTH: 'NUBO_VALIDATION',
};

/** Messages that say which part of the request was wrong (fastify's name the raw value only). */
const FASTIFY_MESSAGES: Readonly<Record<string, (e: FastifyError) => string>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: (e) => `body: ${e.message}`,
  FST_ERR_CTP_EMPTY_JSON_BODY: (e) => `body: ${e.message}`,
  FST_ERR_BAD_URL: () => 'url: a path segment has a bad %-escape',
  FST_ERR_MAX_PARAM_LENGTH: () => 'url: a path segment is longer than 100 characters',
};

/** Where ajv found the problem: body fields are plain JSON pointers, others say where they are. */
function validationDetails(err: FastifyError): ErrorDetail[] {
  const where = err.validationContext;
  const details = toDetails(err.validation as Parameters<typeof toDetails>[0]);
  return where === 'body' ? details : details.map((d) => ({ ...d, field: `${where}${d.field}` }));
}

/** Any error becomes a NuboError: the one shape the API answers with. */
export function toNuboError(err: unknown): NuboError {
  if (isNuboError(err)) return err;
  const e = err as FastifyError;
  if (e?.validation) {
    const details = validationDetails(e);
    const first = details[0];
    return new NuboError('NUBO_VALIDATION', first ? `${first.field} ${first.message}` : e.message, {
      details,
    });
  }
  const code = e?.code ? FASTIFY_CODES[e.code] : undefined;
  if (code) return new NuboError(code, FASTIFY_MESSAGES[e.code]?.(e));
  if (e instanceof SyntaxError) return new NuboError('NUBO_BAD_JSON', `body: ${e.message}`);
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new NuboError(e.statusCode === 413 ? 'NUBO_PAYLOAD_TOO_LARGE' : 'NUBO_VALIDATION', e.message);
  }
  return new NuboError('NUBO_INTERNAL', undefined, { cause: err });
}

/** Answers any error in the one shape; a 5xx is logged with its cause, a 4xx by its code. */
export function replyWithError(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const nubo = toNuboError(err);
  if (nubo.status >= 500) request.log.error({ err }, 'request failed');
  else request.log.info({ code: nubo.code }, nubo.message);
  void reply.status(nubo.status).send(nubo.toJSON());
}

export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler(replyWithError);
  app.setNotFoundHandler((request, reply) => {
    const nubo = new NuboError('NUBO_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
    void reply.status(404).send(nubo.toJSON());
  });
}

/** The error body as a JSON schema, for OpenAPI. */
export const ErrorBody = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', enum: Object.keys(ErrorCodes) },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
        },
      },
    },
  },
} as const;
