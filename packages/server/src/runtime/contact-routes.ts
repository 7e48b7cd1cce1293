/**
 * POST …/identify and POST …/track: inside the runtime's scope, so they are authenticated by the
 * deployment token and origin and counted by its rate limits like every widget request.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { successBody } from '../http/envelope.js';
import { parseOrThrow } from '../http/validation.js';
import type { WebDeploymentRecord } from '../store/repositories/web-deployments.js';
import { identifySchema, trackSchema } from './contact-schemas.js';
import type { visitorContacts } from './visitor-contacts.js';

export function registerContactRoutes(
  scope: FastifyInstance,
  options: { contacts: ReturnType<typeof visitorContacts>; deploymentOf: (request: FastifyRequest) => WebDeploymentRecord },
): void {
  const visitorToken = (request: FastifyRequest) => {
    const value = request.headers['x-visitor-token'];
    return typeof value === 'string' && value !== '' && value.length <= 100 ? value : undefined;
  };

  scope.post('/identify', async (request) => {
    const body = parseOrThrow(identifySchema, request.body ?? {});
    return successBody({ data: await options.contacts.identify(options.deploymentOf(request), visitorToken(request), body) });
  });

  scope.post('/track', async (request, reply) => {
    const body = parseOrThrow(trackSchema, request.body ?? {});
    const tracked = await options.contacts.track(options.deploymentOf(request), visitorToken(request), body);
    return reply.code(201).send(successBody({ data: { visitorToken: tracked.visitorToken, event: { name: tracked.event.name, data: tracked.event.data, createdAt: tracked.event.createdAt } } }));
  });
}
