/**
 * The channel service: the public product's own messaging-channel paths, answered by
 * Switchboard so clients written for that product (and `client.channel` of the SDK) work
 * unchanged.
 *
 * - Paths live under `/channel-service/…` at the server root (not under `/v1`).
 * - Auth: `x-api-key: <key>` (also `Authorization: Bearer <key>` or `x-wiil-api-key`). An
 *   `x-organization-id` header, when sent, must name the key's workspace: otherwise 403, so a
 *   client configured for one workspace never acts on another by mistake. Missing or unknown
 *   key: 401.
 * - Bodies are plain JSON, no envelope: a channel is the spec's `Channel`, a list is an array,
 *   `_count` answers `{ "count": n }`, deletes answer `{ "success": true }` (never an empty
 *   body). Errors answer `{ "error": { "code", "message", "details" } }` (see errors.ts).
 *
 * The plugin is encapsulated (its auth hook, error handler and 404 handler apply to these
 * paths only) and registering it twice on one server is a no-op.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  ErrorCode,
  createFacebookChannelSchema,
  createEmailChannelSchema,
  createInstagramChannelSchema,
  createLineChannelSchema,
  createWebChannelSchema,
  createWechatChannelSchema,
  createWhatsAppChannelSchema,
  idSchema,
  listAssignableTeamsQuerySchema,
  listChannelsQuerySchema,
  updateChannelSchema,
  updateCredentialSchema,
  updateFacebookChannelSchema,
  updateWhatsAppChannelSchema,
} from '@switchboard/core';
import type { z } from 'zod';
import { apiKeyAuthenticator, type Principal } from '../http/auth.js';
import { invalid } from '../http/errors.js';
import { DATABASE_RETRY_AFTER_SECONDS } from '../store/faults.js';
import { parseOrThrow } from '../http/validation.js';
import { ChannelServiceError, channelServiceErrorBody, renameDetails, toChannelServiceError } from './errors.js';
import { channelService, type ChannelServiceDeps } from './service.js';
import { channelServiceCompat, convCountQuerySchema, replaceChannelSchema } from './compat.js';

export { channelService, placeholderWebUrl, type ChannelService, type ChannelServiceDeps } from './service.js';
export { ChannelServiceError, type ChannelServiceErrorBody } from './errors.js';

export const CHANNEL_SERVICE_PREFIX = '/channel-service';

const REGISTERED = Symbol.for('switchboard.channelService');

const principals = new WeakMap<FastifyRequest, Principal>();

function principalOf(request: FastifyRequest): Principal {
  return principals.get(request)!;
}

/** `x-organization-id` must name the key's workspace when it is sent. */
function checkOrganization(request: FastifyRequest, principal: Principal): void {
  const header = request.headers['x-organization-id'];
  const organization = Array.isArray(header) ? header[0] : header;
  if (organization === undefined || organization.trim() === '') return;
  if (organization.trim() !== principal.workspaceId) {
    throw new ChannelServiceError(
      403,
      ErrorCode.FORBIDDEN,
      `x-organization-id names workspace "${organization.trim()}", but the API key belongs to a different workspace`,
    );
  }
}

function bodyObject(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null) {
    throw invalid([{ field: '', message: 'Request body is required: send a JSON object with Content-Type: application/json' }]);
  }
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid([{ field: '', message: 'Request body must be a JSON object' }]);
  return body as Record<string, unknown>;
}

function parseBody<S extends z.ZodType>(schema: S, request: FastifyRequest): z.output<S> {
  return parseOrThrow(schema, bodyObject(request));
}

function parseQuery<S extends z.ZodType>(schema: S, request: FastifyRequest): z.output<S> {
  return parseOrThrow(schema, request.query ?? {});
}

function idParam(request: FastifyRequest, name = 'id'): string {
  const value = (request.params as Record<string, string>)[name];
  return parseOrThrow(idSchema, value, name);
}

const SUCCESS = { success: true } as const;

/**
 * Registers the channel service on `server`. Add to buildApp (app.ts), after the services exist:
 * `registerChannelService(server, { db: options.db, secretBox, secrets, connections, registry, ...(options.fetch && { fetch: options.fetch }) });`
 */
export function registerChannelService(server: FastifyInstance, deps: ChannelServiceDeps): void {
  const root = server as FastifyInstance & { [REGISTERED]?: true };
  if (root[REGISTERED]) return;
  root[REGISTERED] = true;

  const service = channelService(deps);
  const compat = channelServiceCompat(deps.db, service);
  const authenticate = apiKeyAuthenticator(deps.db, deps.secretBox);

  server.register(
    async (app) => {
      app.addHook('onRequest', async (request) => {
        const principal = await authenticate(request.headers, request.method);
        checkOrganization(request, principal);
        principals.set(request, principal);
      });

      app.setErrorHandler((error, request, reply: FastifyReply) => {
        const failure = toChannelServiceError(error);
        if (failure.code === ErrorCode.DATABASE_UNAVAILABLE) reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
        else if (failure.status >= 500) request.log.error({ err: error }, 'channel service request failed');
        const body = channelServiceErrorBody(failure);
        body.error.details = renameDetails(body.error.details);
        return reply.code(failure.status).send(body);
      });

      app.setNotFoundHandler((request, reply) => {
        const path = request.url.split('?')[0];
        const body = channelServiceErrorBody(new ChannelServiceError(404, ErrorCode.NOT_FOUND, `Route ${request.method} ${path} not found`));
        return reply.code(404).send(body);
      });

      const ws = (request: FastifyRequest) => principalOf(request).workspaceId;

      // Channels
      app.get('/v1/channels', async (request) => {
        const { type } = parseQuery(listChannelsQuerySchema, request);
        return service.list(ws(request), type);
      });
      app.get('/v1/channels/_conv_count', async (request) => compat.convCount(ws(request), parseQuery(convCountQuerySchema, request)));
      app.post('/v1/channels/_replace', async (request) => compat.replace(ws(request), parseBody(replaceChannelSchema, request)));
      app.get('/v1/channels/_count', async (request) => {
        const { type } = parseQuery(listChannelsQuerySchema, request);
        return service.count(ws(request), type);
      });
      app.post('/v1/channels', async (request, reply) => reply.code(201).send(await service.create(ws(request), bodyObject(request))));
      app.get('/v1/channels/:id', async (request) => service.get(ws(request), idParam(request)));
      app.put('/v1/channels/:id', async (request) => service.update(ws(request), idParam(request), parseBody(updateChannelSchema, request)));
      app.delete('/v1/channels/:id', async (request) => {
        await service.delete(ws(request), idParam(request));
        return SUCCESS;
      });
      app.delete('/v3/channels/:id', async (request) => {
        await service.deleteV3(ws(request), idParam(request));
        return SUCCESS;
      });

      // Per-type creation
      const created = (reply: FastifyReply, channel: unknown) => reply.code(201).send(channel);
      // The SDK's v1/v2/v3 spellings of one creation each answer the same.
      for (const version of ['v1', 'v3']) {
        app.post(`/${version}/channels/_web`, async (request, reply) => created(reply, await service.createWeb(ws(request), parseBody(createWebChannelSchema, request))));
      }
      for (const version of ['v1', 'v2', 'v3']) {
        app.post(`/${version}/channels/_whatsapp`, async (request, reply) =>
          created(reply, await service.createWhatsApp(ws(request), parseBody(createWhatsAppChannelSchema, request))),
        );
      }
      app.post('/v1/channels/_email', async (request, reply) => created(reply, await service.createEmail(ws(request), parseBody(createEmailChannelSchema, request))));
      app.post('/v1/channels/_wechat', async (request, reply) =>
        created(reply, await service.createWechat(ws(request), parseBody(createWechatChannelSchema, request))),
      );
      app.post('/v1/channels/_line', async (request, reply) => created(reply, await service.createLine(ws(request), parseBody(createLineChannelSchema, request))));
      for (const path of ['/v1/channels/_instagram', '/v1/channels/_instagramV2']) {
        app.post(path, async (request, reply) => created(reply, await service.createInstagram(ws(request), parseBody(createInstagramChannelSchema, request))));
      }
      app.post('/v3/channels/_facebook', async (request, reply) =>
        created(reply, await service.createFacebook(ws(request), parseBody(createFacebookChannelSchema, request))),
      );
      app.put('/v2/channels/_facebook', async (request) => service.updateFacebook(ws(request), parseBody(updateFacebookChannelSchema, request)));
      app.put('/v2/channels/_whatsapp', async (request) => service.updateWhatsApp(ws(request), parseBody(updateWhatsAppChannelSchema, request)));

      // Credentials
      app.get('/v1/channels/credentials/:id', async (request) => service.getCredential(ws(request), idParam(request)));
      app.get('/v1/channels/credentials/:id/pages', async (request) => service.getFacebookPages(ws(request), idParam(request)));
      app.get('/v1/channels/_facebook/credential/:id', async (request) => service.getFacebookPages(ws(request), idParam(request)));
      app.put('/v1/channels/credentials/:id', async (request) =>
        service.updateCredential(ws(request), idParam(request), parseBody(updateCredentialSchema, request)),
      );
      app.delete('/v1/channels/credentials/:id', async (request) => {
        await service.deleteCredential(ws(request), idParam(request));
        return SUCCESS;
      });

      // Workflows: the path id is the workflow's (channel_id in the body) or the channel's (workflow_id in the body)
      app.put('/v1/channels/workflows/:id', async (request) => compat.attachWorkflow(ws(request), idParam(request), request.body));
      app.delete('/v1/channels/workflows/:id', async (request) => compat.detachWorkflow(ws(request), idParam(request)));

      // Teams
      app.get('/v1/assign/teams/all', async (request) => {
        const { channel_id } = parseQuery(listAssignableTeamsQuerySchema, request);
        return service.listAssignableTeams(ws(request), channel_id);
      });
      app.get('/v1/assign/team/:id/observers', async (request) => service.listTeamObservers(ws(request), idParam(request)));
    },
    { prefix: CHANNEL_SERVICE_PREFIX },
  );
}
