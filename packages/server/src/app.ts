import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { Kysely } from 'kysely';
import { ErrorCode } from '@switchboard/core';
import type { DB } from './store/schema.js';
import { ApiError } from './http/errors.js';
import { nulInJsonBody, nulInUrl } from './http/nul-characters.js';
import { errorBody } from './http/envelope.js';
import { MAX_HEADER_BYTES, refuseWhileClosing, writeClientError } from './http/transport-errors.js';
import { apiKeyAuthenticator } from './http/auth.js';
import { registerRoute, type RouteDefinition } from './http/route.js';
import { lazySchemaCompilers } from './http/schema-compilers.js';
import { createServices, type Services } from './services.js';
import { deploymentChannelRoutes } from './api/deployment-channels.js';
import { phoneConfigurationRoutes } from './api/phone-configurations.js';
import { agentRoutes } from './api/agents.js';
import { agentConfigurationRoutes } from './api/agent-configurations.js';
import { deploymentConfigurationRoutes } from './api/deployment-configurations.js';
import { registerDocsRoutes } from './api/docs-routes.js';
import { VERSION } from './version.js';
import { webDeploymentRoutes } from './api/web-deployments.js';
import { webDeploymentIdentityRoutes } from './api/web-deployment-identity.js';
import { conversationRoutes } from './api/conversations.js';
import { createInProcessBus, type EventBus } from './bus/event-bus.js';
import { conversationService, type ConversationService } from './conversations/conversation-service.js';
import { registerRuntimeRoutes } from './runtime/runtime-routes.js';
import { registerEmbedRoutes } from './embed/embed-routes.js';
import { registerConsoleRoutes } from './console/console-routes.js';
import { secretsService } from './connections/secrets-service.js';
import { connectionsService, type ConnectionsService } from './connections/connections-service.js';
import { createDispatcher, type Dispatcher } from './outbox/dispatcher.js';
import { replyOutbox } from './outbox/enqueue-reply.js';
import { DEFAULT_LEASE_MS } from './outbox/claim-loop.js';
import { createInbox, type Inbox } from './channels/inbox.js';
import { registerInboundRoutes } from './channels/inbound-routes.js';
import { twilioVoiceFlow } from './channels/twilio-voice-flow.js';
import { builtInProviders, type ProviderRegistry } from './channels/registry.js';
import { secretRoutes } from './api/secrets.js';
import { connectionRoutes } from './api/connections.js';
import { deliveryRoutes } from './api/deliveries.js';
import { handoffRoutes } from './api/handoff.js';
import { webhookRoutes } from './api/webhooks.js';
import { contactRoutes } from './api/contacts.js';
import { emitEvent, emitEvents } from './webhooks/events.js';
import { teamRoutes } from './api/teams.js';
import { workflowRoutes } from './api/workflows.js';
import { handoffService, ownAgentAnswers, type HandoffService } from './handoff/handoff-service.js';
import { registerHelpdeskRoutes } from './handoff/helpdesk-routes.js';
import { registerChannelService } from './channel-service/index.js';
import { helpdeskConnectors } from './handoff/helpdesks/index.js';
import type { HelpdeskConnector } from './handoff/helpdesks/connector.js';
import type { ConversationRecord } from './store/repositories/conversations.js';
import type { Message } from '@switchboard/core';
import { createRateLimiter, createRedisRateLimiter } from './runtime/rate-limit.js';
import type { Redis } from 'ioredis';
import type { AgentRunner } from './agents/types.js';
import { createAgentRunner } from './agents/runner.js';
import { SecretBox } from './secrets/secret-box.js';
import { workspaceRoutes } from './api/workspaces.js';
import { egressPolicy, type EgressPolicy } from './egress/policy.js';
import { createEgressFetch } from './egress/fetch.js';
import { readiness } from './health/readiness.js';
import { requestLogger } from './logging/request-logger.js';
import { DATABASE_RETRY_AFTER_SECONDS, databaseUnavailable, isDatabaseFault } from './store/faults.js';
import { createMetrics, type Metrics, type PoolStats } from './metrics/metrics.js';
import { watchRedisHealth } from './bus/redis-health.js';
import { createInvalidations } from './bus/invalidations.js';
import { DEFAULT_REDIS_PREFIX } from './bus/redis-prefix.js';
import { safeEqual } from './channels/safe-equal.js';
import { createEventHub } from './events/event-hub.js';
import { eventRoutes } from './api/events.js';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import { memberRoutes } from './api/members.js';
import { membersService, SIGN_IN_FAILURES_PER_ACCOUNT, SIGN_IN_FAILURES_PER_ADDRESS, SIGN_IN_WINDOW_MS, type MembersService } from './members/members-service.js';
import { memoryFailureCounter, redisFailureCounter } from './members/throttle.js';
import { CSRF_COOKIE, requestAuthenticator, sessionCookieOptions } from './http/session-auth.js';
import { withAgentAccess } from './http/access.js';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { FileStorage } from './files/storage.js';
import { localStorage } from './files/local-storage.js';
import { attachmentService, type AttachmentService } from './attachments/attachment-service.js';
import { urlSigner } from './attachments/signed-urls.js';
import { registerAttachmentDownload } from './attachments/download-route.js';
import { attachmentSettingsRoutes, registerApiUpload } from './attachments/api-routes.js';
import { inboundMediaStore } from './attachments/inbound-media.js';

function trustHops(count: number) {
  return (_address: string, hop: number) => hop < count;
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match !== null && safeEqual(match[1]!.trim(), token);
}

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface AppOptions {
  db: Kysely<DB>;
  logger?: FastifyServerOptions['logger'];
  /** A logger made elsewhere (e.g. by `switchboard start`, in the format it chose); wins over `logger`. */
  loggerInstance?: FastifyBaseLogger;
  publicUrl?: string;
  /** Who answers conversations; defaults to the real backends. */
  runner?: AgentRunner;
  /** Live fan-out; defaults to in-process. */
  bus?: EventBus;
  /** Runtime requests allowed per minute, per client address and per deployment token. */
  runtimeRateLimits?: { perIp: number; perToken: number };
  /** Providers by name; the built-in adapters unless given (tests may add or replace some). */
  providers?: ProviderRegistry;
  /** Helpdesks that take handoffs, by provider; the built-in connectors unless given. */
  helpdesks?: ReadonlyMap<string, HelpdeskConnector>;
  /** The fetch adapters send with (tests may route it); the egress policy still applies to it. */
  fetch?: typeof fetch;
  /** Which operator-configured targets may be called; refuses every non-public address when absent. */
  egress?: EgressPolicy;
  /** Outbox retry policy. */
  delivery?: Partial<typeof DEFAULT_DELIVERY>;
  /** How often the inbox looks for events a crashed node left behind, and how long a claim holds. */
  inbox?: { pollMs?: number; leaseMs?: number };
  /** How long closing waits for deliveries and inbound events in progress before giving them back to other nodes. */
  shutdownGraceMs?: number;
  /** Where rate-limit counters live so all nodes share them; in memory when absent. */
  redis?: Redis;
  /** Namespaces Redis keys (REDIS_PREFIX); the bus carries its own. */
  redisPrefix?: string;
  /** PostgreSQL pool usage for /metrics. */
  poolStats?: () => PoolStats;
  /** SQL statements run so far, for /metrics (the database counts them). */
  statementsExecuted?: () => number;
  /** When set, /metrics answers only requests bearing this token. */
  metricsToken?: string;
  /** Which proxies may tell the client address in X-Forwarded-For: a hop count or addresses and CIDR ranges; none by default. */
  trustProxy?: number | string[];
  /** Seals stored secrets; defaults to a box with a random key (fine for tests: nothing it seals survives a restart). */
  secretBox?: SecretBox;
  /** How long an API key's or widget token's lookup is kept (CREDENTIAL_CACHE_TTL_MS unless given); changes drop it sooner, on every node. */
  credentialCacheTtlMs?: number;
  /** Where attachments are kept; a directory under the system's temporary directory unless given (fine for tests). */
  storage?: FileStorage;
}

export const DEFAULT_DELIVERY = { maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 5 * 60_000, leaseMs: DEFAULT_LEASE_MS, pollMs: 1000, maxReplySegments: 10 };

export const DEFAULT_SHUTDOWN_GRACE_MS = 8_000;

export const DEFAULT_RUNTIME_RATE_LIMITS = { perIp: 600, perToken: 6000 };

export interface App {
  server: FastifyInstance;
  services: Services;
  routes: RouteDefinition[];
  conversations: ConversationService;
  bus: EventBus;
  connections: ConnectionsService;
  dispatcher: Dispatcher;
  inbox: Inbox;
  secretBox: SecretBox;
  handoff: HandoffService;
  metrics: Metrics;
  members: MembersService;
  attachments: AttachmentService;
}

/** Maps framework-level failures (body parsing, limits, media types) onto the wire format. */
function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isDatabaseFault(error)) return databaseUnavailable();
  const code = (error as { code?: string }).code;
  const statusCode = (error as { statusCode?: number }).statusCode;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE, `Request body exceeds the limit of ${BODY_LIMIT_BYTES} bytes (1 MiB)`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Content-Type must be application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, ErrorCode.VALIDATION_ERROR, 'Content-Length does not match the body');
  }
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return new ApiError(statusCode, statusCode === 404 ? ErrorCode.NOT_FOUND : ErrorCode.VALIDATION_ERROR, (error as Error).message);
  }
  return new ApiError(500, ErrorCode.INTERNAL, 'Internal server error');
}

/** Waits for `work`, but not past `deadline` (epoch ms). */
async function within(work: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
  clearTimeout(timer);
}

export function buildApp(options: AppOptions): App {
  const server = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? false }),
    ...((options.loggerInstance || options.logger) && { childLoggerFactory: requestLogger }),
    bodyLimit: BODY_LIMIT_BYTES,
    schemaController: { compilersFactory: lazySchemaCompilers },
    logController: new LogController({ disableRequestLogging: true }),
    // Answered in the wire format by refuseWhileClosing instead.
    return503OnClosing: false,
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    clientErrorHandler: writeClientError,
    // A hop count trusts that many proxies nearest to the server, as proxy-addr counts them.
    ...(options.trustProxy !== undefined && {
      trustProxy: typeof options.trustProxy === 'number' ? trustHops(options.trustProxy) : options.trustProxy,
    }),
    // Path parameters are validated by the routes' own schemas (an identifier may be 2048
    // characters, several times that URL-encoded); the router's default cap of 100 would
    // answer 414 outside the wire format before they run.
    routerOptions: { maxParamLength: 16 * 1024 },
    // Router-level failures (a malformed percent-encoding in the path, say) in the wire format too.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const apiError = toApiError(error);
      return reply.code(apiError.status).send(errorBody(apiError));
    },
  });
  refuseWhileClosing(server);
  const publicUrl = options.publicUrl ?? 'http://localhost:8787';
  const secretBox = options.secretBox ?? SecretBox.random();
  const egress = options.egress ?? egressPolicy();
  const metrics = createMetrics({
    db: options.db,
    ...(options.poolStats && { poolStats: options.poolStats }),
    ...(options.statementsExecuted && { statementsExecuted: options.statementsExecuted }),
  });
  // No path or query parameter may carry a NUL (http/nul-characters.ts).
  server.addHook('onRequest', (request, _reply, done) => {
    done(nulInUrl(request.url, request.params, request.query));
  });
  server.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    const inbound = /^\/v1\/public\/(channels|helpdesks)\//.test(route) ? (request.params as { provider?: string }).provider : undefined;
    if (inbound) metrics.inboundWebhook(inbound, reply.statusCode);
    done();
  });
  const outboundFetch = createEgressFetch(egress, options.fetch);
  const services = createServices(options.db, { publicUrl, secretBox, egress });
  const bus = options.bus ?? createInProcessBus();
  const invalidations = createInvalidations(options.db, bus);
  const credentialCaching = { invalidations, ...(options.credentialCacheTtlMs !== undefined && { ttlMs: options.credentialCacheTtlMs }) };
  const registry = options.providers ?? builtInProviders;
  const secrets = secretsService(options.db, secretBox);
  const helpdesks = options.helpdesks ?? helpdeskConnectors;
  const connections = connectionsService(options.db, { box: secretBox, secrets, registry, helpdesks, publicUrl, egress });
  secrets.onChange(() => connections.secretsChanged());
  const deliverySettings = { ...DEFAULT_DELIVERY, ...options.delivery };
  const hub = createEventHub({ db: options.db, bus, onError: (error) => server.log.warn({ err: error }, 'workspace events could not be read') });
  const dispatcher = createDispatcher({
    db: options.db,
    registry,
    connections,
    logger: server.log,
    fetch: outboundFetch,
    ...deliverySettings,
    onOutcome: (delivery, outcome) =>
      metrics.deliveryAttempt(delivery.kind === 'event' ? 'webhook_event' : ((delivery.payload as { channelType?: string }).channelType ?? 'unknown'), outcome),
    onEvent: (workspaceId) => hub.notify(workspaceId),
  });
  // The handoff service decides who answers each turn; it is built after the conversation service it posts through.
  const router = {
    decide: (conversation: ConversationRecord, message: Message, routedByWorkflow?: boolean) => handoff.decide(conversation, message, routedByWorkflow),
    agentAsked: (conversation: ConversationRecord, reason: string) => handoff.agentAsked(conversation, reason),
    ownAgentAnswers,
  };
  const conversations = conversationService({
    router,
    emitAll: (trx, workspaceId, events) => emitEvents(trx, workspaceId, events),
    notify: (workspaceId) => hub.notify(workspaceId),
    db: options.db,
    bus,
    runner: options.runner ?? createAgentRunner({ db: options.db, secretBox, logger: server.log, fetch: outboundFetch }),
    logger: server.log,
    outbox: replyOutbox(dispatcher, deliverySettings),
  });
  const attachments = attachmentService({
    db: options.db,
    storage: options.storage ?? localStorage(join(tmpdir(), `switchboard-attachments-${process.pid}`)),
    signer: urlSigner(secretBox, publicUrl),
    logger: server.log,
  });
  const inbox = createInbox({
    db: options.db,
    conversations,
    logger: server.log,
    registry,
    media: inboundMediaStore({ db: options.db, attachments, registry, context: (record) => connections.context(record), fetch: outboundFetch, logger: server.log }),
    ...options.inbox,
  });
  const handoff = handoffService({
    db: options.db,
    connections,
    helpdesks,
    publicUrl,
    logger: server.log,
    post: (conversation, input) => conversations.post(conversation, input),
    emit: (trx, workspaceId, type, data) => emitEvent(trx, workspaceId, type, data),
    committed: (workspaceId, queued) => {
      if (queued > 0) dispatcher.kick();
      hub.notify(workspaceId);
    },
    fetch: outboundFetch,
  });
  const authenticate = apiKeyAuthenticator(options.db, secretBox, credentialCaching);
  server.register(fastifyCookie);
  server.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: CSRF_COOKIE,
    cookieOpts: sessionCookieOptions(publicUrl),
    getToken: (request) => request.headers['x-csrf-token'] as string | undefined,
  });
  const failureCounter = (name: string, limit: number) =>
    options.redis
      ? redisFailureCounter(options.redis, `${options.redisPrefix ?? DEFAULT_REDIS_PREFIX}${name}:`, limit, SIGN_IN_WINDOW_MS)
      : memoryFailureCounter(limit, SIGN_IN_WINDOW_MS);
  const members = membersService(options.db, {
    publicUrl,
    throttle: { perAccount: failureCounter('account', SIGN_IN_FAILURES_PER_ACCOUNT), perAddress: failureCounter('address', SIGN_IN_FAILURES_PER_ADDRESS) },
  });
  const authenticateRequest = requestAuthenticator(server, authenticate, members);

  // JSON only: other media types answer 415 instead of being parsed as text.
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return done(new ApiError(400, ErrorCode.VALIDATION_ERROR, `Malformed JSON body: ${(error as Error).message}`), undefined);
    }
    const nul = nulInJsonBody(text, parsed);
    if (nul) return done(nul, undefined);
    done(null, parsed);
  });

  server.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.code === ErrorCode.DATABASE_UNAVAILABLE) {
      request.log.warn({ err: error }, 'request failed: database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    } else if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(apiError.status).send(errorBody(apiError));
  });
  server.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const error = new ApiError(404, ErrorCode.NOT_FOUND, `Route ${request.method} ${path} not found`);
    return reply.code(404).send(errorBody(error));
  });

  const operatorEvents = eventRoutes({
    db: options.db,
    hub,
    onStream: (open) => (open ? metrics.streamOpened('events') : metrics.streamClosed('events')),
    onError: (error) => server.log.warn({ err: error }, 'open event streams could not be checked'),
  });
  const routes = [
    ...deploymentChannelRoutes(services),
    ...phoneConfigurationRoutes(services),
    ...agentRoutes(services),
    ...agentConfigurationRoutes(services),
    ...deploymentConfigurationRoutes(services),
    ...webDeploymentRoutes(services),
    ...webDeploymentIdentityRoutes(services, options.db, secretBox),
    ...conversationRoutes(conversations, handoff, attachments),
    ...attachmentSettingsRoutes(options.db),
    ...operatorEvents.routes,
    ...handoffRoutes(handoff),
    ...teamRoutes(options.db),
    ...workflowRoutes(options.db),
    ...contactRoutes(options.db),
    ...secretRoutes(secrets),
    ...connectionRoutes(options.db, connections),
    ...deliveryRoutes(options.db, () => dispatcher.kick(), (workspaceId) => hub.notify(workspaceId)),
    ...workspaceRoutes(options.db, secretBox),
    ...webhookRoutes(options.db, secretBox, () => dispatcher.kick(), egress),
    ...memberRoutes({ db: options.db, members, publicUrl }),
  ];
  for (const route of routes) registerRoute(server, withAgentAccess(route), authenticateRequest);

  registerDocsRoutes(server, routes, { version: VERSION, ...(options.publicUrl && { serverUrl: options.publicUrl }) });
  server.get('/health', async () => ({ status: 'ok', version: VERSION }));
  server.get('/ready', async (_request, reply) => {
    const state = await readiness(options.db, options.redis);
    if (!state.ready) reply.code(503).header('retry-after', '5');
    return { status: state.ready ? 'ready' : 'not ready', version: VERSION, checks: state.checks };
  });

  server.get('/metrics', async (request, reply) => {
    if (options.metricsToken && !bearerMatches(request.headers.authorization, options.metricsToken)) {
      return reply.code(401).send(errorBody(new ApiError(401, ErrorCode.UNAUTHORIZED, 'Metrics need Authorization: Bearer <METRICS_TOKEN>')));
    }
    return reply.type(metrics.registry.contentType).send(await metrics.scrape());
  });

  registerAttachmentDownload(server, { db: options.db, attachments });
  registerApiUpload(server, { db: options.db, attachments, conversations, handoff, authenticate: authenticateRequest });
  registerEmbedRoutes(server);
  registerConsoleRoutes(server);
  const limits = options.runtimeRateLimits ?? DEFAULT_RUNTIME_RATE_LIMITS;
  const redisHealth = watchRedisHealth(bus, metrics, server.log);
  const redisLimiterOptions = { prefix: options.redisPrefix ?? DEFAULT_REDIS_PREFIX, onFallback: redisHealth.fellBack };
  registerRuntimeRoutes(server, {
    db: options.db,
    attachments,
    secretBox,
    bus,
    conversations,
    limits: options.redis
      ? {
          perIp: createRedisRateLimiter(options.redis, 'ip', limits.perIp, redisLimiterOptions),
          perToken: createRedisRateLimiter(options.redis, 'token', limits.perToken, redisLimiterOptions),
        }
      : { perIp: createRateLimiter(limits.perIp), perToken: createRateLimiter(limits.perToken) },
    onStream: (open) => (open ? metrics.streamOpened('widget') : metrics.streamClosed('widget')),
    credentialCaching,
  });
  const voice = twilioVoiceFlow({ db: options.db, connections, conversations, publicUrl });
  registerChannelService(server, { db: options.db, secretBox, secrets, connections, registry, fetch: outboundFetch });
  registerHelpdeskRoutes(server, { db: options.db, connections, helpdesks, handoff, publicUrl });
  registerInboundRoutes(server, {
    db: options.db,
    registry,
    connections,
    publicUrl,
    onRecorded: () => inbox.kick(),
    synchronous: (provider, subpath) => (provider === 'twilio' && /^\/voice(\/|$)/.test(subpath) ? voice : undefined),
  });
  server.addHook('onReady', async () => {
    dispatcher.start();
    inbox.start();
    hub.startPruning();
  });
  // Closing takes no new work at once; work in progress gets until the grace runs out, then what is
  // unfinished is given back (its lease cleared) so another node takes it without waiting.
  let stopping: Promise<unknown> | undefined;
  server.addHook('preClose', async () => {
    operatorEvents.closeAll();
    const deadline = Date.now() + (options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
    stopping = Promise.all([inbox.stop(deadline), dispatcher.stop(deadline), within(conversations.drain(), deadline)]);
  });
  server.addHook('onClose', async () => {
    await (stopping ?? Promise.all([inbox.stop(), conversations.drain(), dispatcher.stop()]));
    hub.stop();
    invalidations.close();
    if (!options.bus) await bus.close();
  });

  return { server, services, routes, conversations, bus, secretBox, connections, dispatcher, inbox, handoff, metrics, members, attachments };
}
