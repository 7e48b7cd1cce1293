import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { forbidden, invalid } from './errors.js';
import { successBody, type RouteResult } from './envelope.js';
import { parseOrThrow } from './validation.js';
import type { MemberRole, Principal } from './auth.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** A named schema, so the OpenAPI document can refer to it. */
export interface NamedSchema<S extends z.ZodType = z.ZodType> {
  name: string;
  schema: S;
}

type ParamsShape = Record<string, z.ZodType>;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
type ParamsOut<P> = P extends ParamsShape ? { [K in keyof P]: z.output<P[K]> } : Record<string, never>;

export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  principal: Principal;
  request: FastifyRequest;
  reply: FastifyReply;
  /** Checks the request's credentials again (a long-lived stream ends once they no longer hold). */
  reauthenticate(): Promise<Principal>;
}

/**
 * One declaration per endpoint: it validates the request, runs the handler, wraps the
 * envelope and describes itself to the OpenAPI document, all from the same schemas.
 */
export interface RouteDefinition<B extends NamedSchema | undefined = any, Q extends z.ZodObject | undefined = any, P extends ParamsShape | undefined = any> {
  method: HttpMethod;
  /** fastify path syntax: `/v1/agents/:id`. */
  url: string;
  tag: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Success status and what `data` holds. */
  response: { status?: number; description: string; schema?: NamedSchema; list?: boolean };
  /** Documented error answers besides the common ones. */
  errors?: Record<number, string>;
  /** 'none': a public route (an invitation link, signing in); its handler gets no principal. */
  auth?: 'none';
  /** The least member role a session needs (default 'admin'); API keys are not concerned. */
  access?: MemberRole;
  /** A `text/event-stream` answer: the handler writes the response itself (hijacking the reply) instead of returning an envelope. */
  stream?: boolean;
  handler(ctx: RouteContext<B extends NamedSchema ? z.output<B['schema']> : undefined, Out<Q>, ParamsOut<P>>): Promise<RouteResult>;
}

export function defineRoute<B extends NamedSchema | undefined, Q extends z.ZodObject | undefined, P extends ParamsShape | undefined>(
  route: RouteDefinition<B, Q, P>,
): RouteDefinition<B, Q, P> {
  return route;
}

function requireJsonObject(body: unknown): Record<string, unknown> {
  if (body === undefined) {
    throw invalid([{ field: '', message: 'Request body is required: send a JSON object with Content-Type: application/json' }]);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid([{ field: '', message: 'Request body must be a JSON object' }]);
  }
  return body as Record<string, unknown>;
}

const ROLE_RANK: Record<MemberRole, number> = { agent: 0, admin: 1, owner: 2 };

function requireAccess(route: RouteDefinition, principal: Principal): Principal {
  const needed = route.access ?? 'admin';
  if (principal.via === 'session' && ROLE_RANK[principal.role ?? 'agent'] < ROLE_RANK[needed]) {
    throw forbidden(`This needs the ${needed} role; you are signed in as ${principal.role ?? 'agent'}`, { requiredRole: needed, role: principal.role });
  }
  return principal;
}

/** Principals resolved in `onRequest`, before the body is read: an unauthenticated caller learns nothing else. */
const principals = new WeakMap<FastifyRequest, Principal>();

export function registerRoute(
  app: FastifyInstance,
  route: RouteDefinition,
  authenticate: (request: FastifyRequest) => Promise<Principal>,
): void {
  const paramSchemas = Object.entries((route.params ?? {}) as ParamsShape);
  app.route({
    method: route.method,
    url: route.url,
    onRequest: async (request) => {
      if (route.auth === 'none') return;
      principals.set(request, requireAccess(route, await authenticate(request)));
    },
    handler: async (request, reply) => {
      const principal = principals.get(request)!;
      const rawParams = request.params as Record<string, string>;
      const params: Record<string, unknown> = {};
      for (const [name, schema] of paramSchemas) {
        params[name] = parseOrThrow(schema, rawParams[name], name);
      }
      const rawQuery = (request.query ?? {}) as Record<string, unknown>;
      const unknownQuery = Object.keys(rawQuery).filter((name) => !(route.query && name in route.query.shape));
      if (unknownQuery.length > 0) {
        throw invalid(unknownQuery.map((name) => ({ field: name, message: 'Unknown query parameter' })));
      }
      const query = route.query ? parseOrThrow(route.query, rawQuery) : undefined;
      const body = route.body ? parseOrThrow(route.body.schema, requireJsonObject(request.body)) : undefined;
      const reauthenticate = async () => requireAccess(route, await authenticate(request));
      const result = await route.handler({ body, query, params, principal, request, reply, reauthenticate });
      if (route.stream) return reply;
      return reply.code(result.status ?? route.response.status ?? 200).send(successBody(result));
    },
  });
}
