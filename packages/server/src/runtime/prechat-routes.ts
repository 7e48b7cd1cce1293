/**
 * POST …/prechat: a visitor's answers to the deployment's pre-chat form. Inside the runtime's scope,
 * so it is authenticated by the deployment token and origin and rate limited like every widget
 * request. The answers are checked against the form (400 naming `values.<key>`), then the visitor's
 * session is started (or resumed, with a known visitor token) and the answers stored on its
 * contact: `name` as the display name, every other field as an attribute under its key.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { checkPreChatAnswers, preChatSubmissionSchema, type PreChatForm } from '@switchboard/core';
import type { ConversationService } from '../conversations/conversation-service.js';
import { conflict, invalid } from '../http/errors.js';
import { successBody } from '../http/envelope.js';
import { parseOrThrow } from '../http/validation.js';
import { visitorContactsRepository } from '../store/repositories/visitor-contacts.js';
import type { DB } from '../store/schema.js';
import type { WebDeploymentRecord } from '../store/repositories/web-deployments.js';

/** The form a widget is told to show (one kept with `showBeforeFirstMessage: false` is not shown). */
export function shownPreChatForm(deployment: WebDeploymentRecord): PreChatForm | null {
  const form = deployment.preChatForm;
  return form && form.showBeforeFirstMessage ? form : null;
}

export function registerPreChatRoutes(
  scope: FastifyInstance,
  options: { db: Kysely<DB>; conversations: ConversationService; deploymentOf: (request: FastifyRequest) => WebDeploymentRecord },
): void {
  scope.post('/prechat', async (request, reply) => {
    const deployment = options.deploymentOf(request);
    const body = parseOrThrow(preChatSubmissionSchema, request.body ?? {});
    const form = shownPreChatForm(deployment);
    if (!form) throw conflict('This deployment has no pre-chat form: start the session with POST /v1/public/runtime/sessions');
    const { issues, answers } = checkPreChatAnswers(form, body.values);
    if (issues.length > 0) throw invalid(issues);

    const started = await options.conversations.startSession(deployment, body.visitorToken, body.locale);
    const { name, ...attributes } = answers;
    await visitorContactsRepository(options.db, deployment.workspaceId).setDetails(started.conversation.contactId, { displayName: name, attributes });
    return reply.code(started.resumed ? 200 : 201).send(
      successBody({ data: { sessionId: started.conversation.id, visitorToken: started.visitorToken, resumed: started.resumed, stored: Object.keys(answers) } }),
    );
  });
}
