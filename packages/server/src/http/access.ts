import type { RouteDefinition } from './route.js';

/**
 * What a signed-in agent may reach: the inbox (conversations, their messages, handoff and
 * assignment, contacts it shows), the teams and channels it filters by, the event stream and
 * its own session. Everything else keeps the default ('admin') unless its route says otherwise.
 */
const AGENT_ROUTES: ReadonlyArray<[method: string, url: RegExp]> = [
  ['GET', /^\/v1\/conversations(\/:id)?$/],
  ['*', /^\/v1\/conversations\/:id\/(messages|read|assign|takeover)$/],
  ['*', /^\/v1\/conversations\/:id\/handoff(\/.*)?$/],
  ['GET', /^\/v1\/contacts\/:id$/],
  ['GET', /^\/v1\/teams(\/:id)?$/],
  ['GET', /^\/v1\/deployment-channels(\/:id)?$/],
  ['GET', /^\/v1\/events$/],
];

/** The route with `access: 'agent'` when it is one of the agent's, unless it declares its own. */
export function withAgentAccess(route: RouteDefinition): RouteDefinition {
  if (route.access !== undefined) return route;
  const agent = AGENT_ROUTES.some(([method, url]) => (method === '*' || method === route.method) && url.test(route.url));
  return agent ? { ...route, access: 'agent' } : route;
}
