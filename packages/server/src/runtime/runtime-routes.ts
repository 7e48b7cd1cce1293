import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { ErrorCode, idSchema, runtimeMessageSchema, sessionStartSchema } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { workspaceRepositories } from '../store/repositories/index.js';
import { webDeploymentTokens, type WebDeploymentRecord } from '../store/repositories/web-deployments.js';
import type { EventBus, ConversationEvent } from '../bus/event-bus.js';
import type { ConversationService } from '../conversations/conversation-service.js';
import { ApiError, invalid, notFound } from '../http/errors.js';
import { successBody } from '../http/envelope.js';
import { parseOrThrow } from '../http/validation.js';
import type { RateLimiter } from './rate-limit.js';
import { DEPLOYMENT_TOKEN_PREFIX, sha256Hex } from './tokens.js';
import { resolveWidgetTheme } from './widget-theme.js';
import { firstAcceptedLanguage, resolveWidgetLocale } from './widget-locales.js';
import { accessRefusal, forbidden, unauthorized, type ResolvedToken } from './access.js';
import { createCredentialCache, type CredentialCaching } from '../http/credential-cache.js';
import { createStreamGuard } from './stream-guard.js';
import { registerPreChatRoutes, shownPreChatForm } from './prechat-routes.js';
import type { AttachmentService } from '../attachments/attachment-service.js';
import { registerRuntimeUpload } from '../attachments/runtime-upload.js';
import { offeredRules } from '../attachments/settings.js';
import { registerContactRoutes } from './contact-routes.js';
import { identitySecrets } from './identity-secrets.js';
import { visitorContacts } from './visitor-contacts.js';
import type { SecretBox } from '../secrets/secret-box.js';

export const RUNTIME_PREFIX = '/v1/public/runtime';
const ALLOWED_HEADERS = 'authorization, content-type, x-visitor-token, last-event-id';
const HEARTBEAT_MS = 20_000;
const TOUCH_INTERVAL_MS = 60_000;

export interface RuntimeOptions {
  db: Kysely<DB>;
  bus: EventBus;
  conversations: ConversationService;
  limits: { perIp: RateLimiter; perToken: RateLimiter };
  /** Opens deployments' identity secrets (identify's userHash). */
  secretBox: SecretBox;
  /** Visitors' uploads and the signed addresses of attachments; no uploads when absent. */
  attachments?: AttachmentService;
  /** How often open streams are checked against revocation, origins and pauses (default 500 ms). */
  streamCheckMs?: number;
  /** Told when a widget stream opens (true) and when it closes (false), for the metrics. */
  onStream?: (open: boolean) => void;
  /** When given, a usable token's deployment and origins are kept for a moment, dropped on change on every node. */
  credentialCaching?: CredentialCaching;
}

/** `meta.reason` lets a client tell refusals apart without reading the message. */

function rateLimited(retryAfterSeconds: number, scope: string): ApiError {
  return new ApiError(429, ErrorCode.RATE_LIMITED, `Too many requests from this ${scope}; retry in ${retryAfterSeconds} s`, null, {
    retryAfterSeconds,
  });
}

/** The last event of a stream whose server is shutting down. */
export function shutdownEvent(retryMs: number): string {
  return `retry: ${retryMs}\nevent: shutdown\ndata: ${JSON.stringify({ reconnect: true, retryMs })}\n\n`;
}

function corsHeaders(origin: string): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': 'retry-after',
    vary: 'Origin',
  };
}

/**
 * The origin of the page making a widget request. Browsers leave Origin off a same-origin GET,
 * so a page served by this server (the console's Try it and theme preview) is known by the
 * `Sec-Fetch-Site: same-origin` they send instead, which no page can forge, and by the Host it asked.
 */
export function pageOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (origin) return origin;
  const host = request.headers.host;
  if (request.headers['sec-fetch-site'] !== 'same-origin' || !host) return undefined;
  return `${request.protocol}://${host}`;
}

/** The public API the web widget speaks (see docs/runtime-api.md), authenticated by `cdp_` deployment tokens. */
export function registerRuntimeRoutes(server: FastifyInstance, options: RuntimeOptions): void {
  const { db, bus, conversations, limits } = options;
  const tokens = webDeploymentTokens(db);
  const guard = createStreamGuard({
    check: async (tokenHash) => {
      const resolved = await tokens.resolve(tokenHash);
      return (origin) => accessRefusal(resolved, origin);
    },
    ...(options.streamCheckMs !== undefined && { intervalMs: options.streamCheckMs }),
    onError: (error) => server.log.warn({ err: error }, 'open widget streams could not be checked'),
  });
  server.addHook('onClose', async () => guard.stop());
  // Requests read through this cache; open streams are checked against the database itself
  // (above), which also catches a change no node announced.
  const tokenCache =
    options.credentialCaching &&
    createCredentialCache<ResolvedToken>({
      ...options.credentialCaching,
      concerns: ({ deployment }, change) =>
        (change.kind === 'webDeployment' && change.id === deployment.id) ||
        (change.kind === 'workspace' && change.id === deployment.workspaceId) ||
        (change.kind === 'deploymentConfiguration' && change.id === deployment.deploymentConfigurationId),
      keepable: (resolved) => !resolved.tokenRevoked && !resolved.workspaceSuspended && !resolved.deploymentPaused,
    });
  const resolveToken = (tokenHash: string) => (tokenCache ? tokenCache.get(tokenHash, () => tokens.resolve(tokenHash)) : tokens.resolve(tokenHash));
  /** What each authenticated request's token resolved to. */
  const resolvedTokens = new WeakMap<FastifyRequest, ResolvedToken>();
  const deploymentOf = (request: FastifyRequest): WebDeploymentRecord => resolvedTokens.get(request)!.deployment;
  const lastTouched = new Map<string, number>();
  /** Open event streams, each by the function that ends it (with a last chunk when given). */
  const streams = new Set<(last?: string) => void>();

  async function limit(reply: FastifyReply, limiter: RateLimiter, key: string, scope: string) {
    const decision = await limiter.hit(key);
    if (!decision.allowed) {
      reply.header('retry-after', String(decision.retryAfterSeconds));
      throw rateLimited(decision.retryAfterSeconds, scope);
    }
  }

  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const origin = pageOrigin(request);
    // Error answers are readable by the page too, so the widget can say why it was refused.
    if (origin) reply.headers(corsHeaders(origin));
    await limit(reply, limits.perIp, request.ip, 'address');

    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const token = match?.[1];
    if (!token || !token.startsWith(DEPLOYMENT_TOKEN_PREFIX)) {
      throw unauthorized(`Deployment token is missing: send Authorization: Bearer ${DEPLOYMENT_TOKEN_PREFIX}…`, 'TOKEN_MISSING');
    }
    const resolved = await resolveToken(sha256Hex(token));
    const refusal = accessRefusal(resolved, origin);
    if (refusal) throw refusal;
    const { deployment } = resolved!;
    await limit(reply, limits.perToken, deployment.id, 'deployment');

    const now = Date.now();
    if (now - (lastTouched.get(deployment.id) ?? 0) > TOUCH_INTERVAL_MS) {
      lastTouched.set(deployment.id, now);
      await tokens.touch(deployment.id, now);
    }
    resolvedTokens.set(request, resolved!);
  }

  async function session(request: FastifyRequest) {
    const deployment = deploymentOf(request);
    const sessionId = parseOrThrow(idSchema, (request.params as { sessionId: string }).sessionId, 'sessionId');
    const visitorToken = request.headers['x-visitor-token'];
    if (typeof visitorToken !== 'string' || visitorToken === '') {
      throw invalid([{ field: 'X-Visitor-Token', message: 'Required: the visitorToken returned when the session started' }]);
    }
    return conversations.sessionFor(deployment, sessionId, visitorToken);
  }

  server.register(
    async (scope) => {
      // Preflights carry no token, so they may learn only whether some active deployment allows the origin.
      scope.options('/*', async (request, reply) => {
        const origin = request.headers.origin;
        if (!origin || !(await tokens.originAllowedAnywhere(origin))) {
          throw forbidden(`Origin ${origin ?? '(none)'} is not allowed by any deployment`, 'ORIGIN_NOT_ALLOWED');
        }
        return reply
          .code(204)
          .headers({
            ...corsHeaders(origin),
            'access-control-allow-methods': 'GET, POST, OPTIONS',
            'access-control-allow-headers': ALLOWED_HEADERS,
            'access-control-max-age': '600',
          })
          .send();
      });

      scope.addHook('onRequest', async (request, reply) => {
        if (request.method === 'OPTIONS' || request.routeOptions.url === `${RUNTIME_PREFIX}/origin-check`) {
          // No token to check, but each reads the database: counted per address like every runtime request.
          if (request.method !== 'OPTIONS') reply.headers({ 'access-control-allow-origin': '*', 'access-control-expose-headers': 'retry-after' });
          await limit(reply, limits.perIp, request.ip, 'address');
          return;
        }
        await authenticate(request, reply);
      });

      /**
       * Why would this page be refused? A browser whose preflight was refused sees only a
       * network error; this simple GET (no preflight, readable from any origin) lets the
       * widget tell "origin not allowed" or "token revoked" apart from "offline". It names
       * the deployment by its public token prefix and reveals nothing else.
       */
      scope.get('/origin-check', async (request, reply) => {
        reply.header('access-control-allow-origin', '*');
        const origin = request.headers.origin ?? null;
        const prefix = String((request.query as { tokenPrefix?: unknown }).tokenPrefix ?? '');
        const candidates = /^cdp_[0-9A-Za-z]{6}$/.test(prefix) ? await tokens.byPrefix(prefix) : [];
        const active = candidates.filter((d) => d.revokedAt === null);
        const allowed = origin !== null && active.some((d) => d.allowedOrigins.includes(origin));
        const [reason, message] =
          candidates.length === 0
            ? ['TOKEN_INVALID', 'Deployment token is not valid']
            : active.length === 0
              ? ['TOKEN_REVOKED', 'Deployment token was revoked']
              : allowed
                ? ['ALLOWED', 'Origin is allowed']
                : origin === null
                  ? ['ORIGIN_MISSING', 'Origin header is required: this deployment accepts requests only from its allowed origins']
                  : ['ORIGIN_NOT_ALLOWED', `Origin ${origin} is not allowed for this deployment`];
        return successBody({ data: { origin, allowed, reason, message } });
      });

      /** What the widget shows before any conversation exists: its agent, greeting, theme and texts in the visitor's language. */
      async function widgetConfig(request: FastifyRequest, locale: string | undefined) {
        const { deployment, attachmentSettings } = resolvedTokens.get(request)!;
        const repos = workspaceRepositories(db, deployment.workspaceId);
        const [channel, agent] = await Promise.all([repos.channels.get(deployment.deploymentChannelId), repos.agents.get(deployment.agentId)]);
        if (!channel || !agent) throw notFound('This deployment no longer has its channel or agent');
        const theme = resolveWidgetTheme(deployment.theme, channel, agent);
        const attachments = options.attachments
          ? offeredRules(attachmentSettings, channel.recordingEnabled)
          : { enabled: false, maxBytes: 0, allowedTypes: [] };
        return {
          agent: { id: agent.id, name: agent.name },
          greeting: theme.greeting,
          widget: { theme, ...resolveWidgetLocale(locale, deployment.theme.strings), preChatForm: shownPreChatForm(deployment) },
          attachments,
        };
      }

      // The page view's first request: it creates nothing, so a visitor who never opens the chat costs no conversation.
      // `?locale=` is the widget's pick (init, then <html lang>, then the browser's language).
      scope.get('/config', async (request) => {
        const { locale } = request.query as { locale?: unknown };
        const requested = typeof locale === 'string' ? locale : firstAcceptedLanguage(request.headers['accept-language']);
        return successBody({ data: await widgetConfig(request, requested) });
      });

      registerContactRoutes(scope, { contacts: visitorContacts(db, identitySecrets(db, options.secretBox)), deploymentOf });
      if (options.attachments) {
        registerRuntimeUpload(scope, { db, conversations, attachments: options.attachments, session, rulesOf: (request) => resolvedTokens.get(request)!.attachmentSettings });
      }

      registerPreChatRoutes(scope, { db, conversations, deploymentOf });

      scope.post('/sessions', async (request, reply) => {
        const deployment = deploymentOf(request);
        const body = parseOrThrow(sessionStartSchema, request.body ?? {});
        const config = await widgetConfig(request, body.locale ?? firstAcceptedLanguage(request.headers['accept-language']));
        const started = await conversations.startSession(deployment, body.visitorToken, body.locale);
        return reply.code(started.resumed ? 200 : 201).send(
          successBody({
            data: { sessionId: started.conversation.id, visitorToken: started.visitorToken, resumed: started.resumed, ...config },
          }),
        );
      });

      scope.post('/sessions/:sessionId/messages', async (request, reply) => {
        const conversation = await session(request);
        const body = parseOrThrow(runtimeMessageSchema, request.body ?? {});
        const result = await conversations.receiveContactMessage(conversation, body.text, body.clientMessageId);
        return reply.code(202).send(successBody({ data: result }));
      });

      scope.get('/sessions/:sessionId/messages', async (request) => {
        const conversation = await session(request);
        const history = await conversations.history(conversation);
        return successBody({ data: options.attachments ? await options.attachments.withAttachments(conversation.workspaceId, history) : history });
      });

      scope.get('/sessions/:sessionId/events', async (request, reply) => {
        const conversation = await session(request);
        const lastEventHeader = request.headers['last-event-id'];
        // Present (even as 0) means: replay everything stored after it before going live.
        const lastEventId = typeof lastEventHeader === 'string' && /^\d{1,15}$/.test(lastEventHeader) ? Number(lastEventHeader) : undefined;

        reply.hijack();
        const raw = reply.raw;
        raw.writeHead(200, {
          ...(reply.getHeaders() as Record<string, string>),
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        raw.write('retry: 2000\n\n');

        let lastSent = lastEventId ?? 0;
        let replaying = true;
        const held: ConversationEvent[] = [];
        const send = (event: ConversationEvent) => {
          if (event.id !== undefined) {
            if (event.id <= lastSent) return;
            lastSent = event.id;
          }
          // Attachments go out with addresses signed now, replayed or live.
          const data = event.type === 'message' && options.attachments ? options.attachments.signMessage(event.data) : event.data;
          // Events published together (a turn's message, typing, delta, reply) leave in one write.
          if (raw.writableCorked === 0) {
            raw.cork();
            process.nextTick(() => raw.uncork());
          }
          raw.write(`${event.id !== undefined ? `id: ${event.id}\n` : ''}event: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`);
        };
        const unsubscribe = await bus.subscribe(conversation.id, (event) => (replaying ? held.push(event) : send(event)));
        const heartbeat = setInterval(() => raw.write(': ping\n\n'), HEARTBEAT_MS);
        const unwatch = guard.watch({
          tokenHash: sha256Hex(/^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1] ?? ''),
          origin: pageOrigin(request),
          end: (last) => close(last),
        });
        const close = (last?: string) => {
          clearInterval(heartbeat);
          unwatch();
          unsubscribe();
          if (streams.delete(close)) options.onStream?.(false);
          if (!raw.writableEnded) raw.end(last);
        };
        streams.add(close);
        options.onStream?.(true);
        raw.on('close', () => close());
        if (raw.destroyed) return close();

        try {
          if (lastEventId !== undefined) {
            for (const stored of await conversations.eventsAfter(conversation, lastEventId)) {
              send({ id: stored.seq, type: stored.type as ConversationEvent['type'], data: stored.data });
            }
          }
        } finally {
          replaying = false;
          for (const event of held.splice(0)) send(event);
        }
      });
    },
    { prefix: RUNTIME_PREFIX },
  );

  // Shutting down: each stream ends with a `shutdown` event whose `retry:` (spread over 1–3 s, so
  // the clients of a node do not all come back at once) tells the client when to reconnect, with
  // Last-Event-ID, to a node that is up.
  server.addHook('preClose', async () => {
    for (const close of [...streams]) close(shutdownEvent(1000 + Math.floor(Math.random() * 2000)));
  });
}
