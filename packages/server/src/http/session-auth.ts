import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { ErrorCode } from '@switchboard/core';
import type { ActiveSession, MembersService } from '../members/members-service.js';
import { presentedApiKey, type Principal } from './auth.js';
import { ApiError, forbidden, unauthorized } from './errors.js';

export const SESSION_COOKIE = 'sb_session';
export const CSRF_COOKIE = 'sb_csrf';
const READ_METHODS = new Set(['GET', 'HEAD']);

export const CSRF_MESSAGE = 'Missing or invalid CSRF token: send the csrfToken from GET /v1/session in the X-CSRF-Token header';

export function sessionCookieOptions(publicUrl: string): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: publicUrl.startsWith('https:') };
}

/** The session a request was authenticated with, for the routes that act on it (sign-out, password change). */
const sessions = new WeakMap<FastifyRequest, ActiveSession>();
export const sessionOf = (request: FastifyRequest): ActiveSession | undefined => sessions.get(request);

type CsrfCheck = (request: FastifyRequest, reply: FastifyReply, next: (error?: Error) => void) => void;

/** Runs @fastify/csrf-protection's check and answers whether the token holds. */
function csrfHolds(server: FastifyInstance, request: FastifyRequest): Promise<boolean> {
  const check = (server as unknown as { csrfProtection: CsrfCheck }).csrfProtection;
  return new Promise((resolve) => {
    // On failure the plugin sends its error through the reply; this stand-in turns that into an answer.
    const reply = { send: () => resolve(false) } as unknown as FastifyReply;
    try {
      check.call(server, request, reply, (error) => resolve(error === undefined));
    } catch {
      resolve(false);
    }
  });
}

/**
 * API key headers first (a key wins over a cookie, and needs no CSRF token); else the
 * `sb_session` cookie, checked against the database on every request, and for writes the
 * X-CSRF-Token header.
 */
export function requestAuthenticator(
  server: FastifyInstance,
  apiKey: (headers: FastifyRequest['headers'], method: string) => Promise<Principal>,
  members: MembersService,
) {
  return async function authenticate(request: FastifyRequest): Promise<Principal> {
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (presentedApiKey(request.headers) || !cookie) return apiKey(request.headers, request.method);
    const session = await members.authenticate(cookie);
    if (!session) throw unauthorized('Your session has ended or expired: sign in again (POST /v1/sessions)');
    if (session.workspaceStatus === 'suspended') throw forbidden(`Workspace ${session.member.workspaceId} is suspended`);
    if (!READ_METHODS.has(request.method.toUpperCase()) && !(await csrfHolds(server, request))) {
      throw new ApiError(403, ErrorCode.CSRF_TOKEN_INVALID, CSRF_MESSAGE);
    }
    sessions.set(request, session);
    return {
      workspaceId: session.member.workspaceId,
      via: 'session',
      memberId: session.member.id,
      role: session.member.role,
      scope: 'admin',
      instanceAdmin: false,
    };
  };
}
