/**
 * identify() and track(): what a site tells about its visitor. Both work on the visitor's
 * contact, never on a conversation: called on a page where the chat was never opened, they
 * create at most a contact (and the visitor token naming it), no conversation and no stream.
 */
import type { Kysely } from 'kysely';
import { ErrorCode } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { conversationsRepository } from '../store/repositories/conversations.js';
import { visitorContactsRepository, type ContactEvent } from '../store/repositories/visitor-contacts.js';
import type { WebDeploymentRecord } from '../store/repositories/web-deployments.js';
import { ApiError, invalidField } from '../http/errors.js';
import { isUniqueViolation } from '../store/database.js';
import { issueVisitorToken, sha256Hex } from './tokens.js';
import { userHashMatches, type IdentitySecrets } from './identity-secrets.js';
import type { IdentifyRequest, TrackRequest } from './contact-schemas.js';

export interface Identified {
  visitorToken: string;
  /** True when the visitor is now linked to `userId` (the hash was checked under the deployment's identity secret). */
  verified: boolean;
  /** The conversation the visitor should see now (the user's open one on this deployment), if any. */
  sessionId: string | null;
}

const identityRefused = (message: string) => new ApiError(403, ErrorCode.FORBIDDEN, message, [{ field: 'userHash', message }], { reason: 'IDENTITY_NOT_VERIFIED' });

export function visitorContacts(db: Kysely<DB>, secrets: IdentitySecrets) {
  /** The visitor's contact, created (with a new visitor token) when the token names none. */
  async function contactOf(deployment: WebDeploymentRecord, visitorToken: string | undefined) {
    const repo = conversationsRepository(db, deployment.workspaceId);
    const known = visitorToken ? await repo.contactByVisitorToken(deployment.deploymentChannelId, sha256Hex(visitorToken)) : undefined;
    if (known) return { contactId: known, visitorToken: visitorToken! };
    const issued = issueVisitorToken();
    return { contactId: await repo.createContact(deployment.deploymentChannelId, issued.hash), visitorToken: issued.token };
  }

  /** The contact of a verified user on the deployment's channel, created on first sight. */
  async function userContact(deployment: WebDeploymentRecord, userId: string, name: string | undefined): Promise<string> {
    const repo = conversationsRepository(db, deployment.workspaceId);
    const found = await repo.contactByExternalId(deployment.deploymentChannelId, userId);
    if (found) return found.id;
    try {
      return await repo.createContact(deployment.deploymentChannelId, null, { id: userId, displayName: name });
    } catch (error) {
      // Another browser of the same user got there first.
      const raced = isUniqueViolation(error) && (await repo.contactByExternalId(deployment.deploymentChannelId, userId));
      if (raced) return raced.id;
      throw error;
    }
  }

  return {
    async identify(deployment: WebDeploymentRecord, visitorToken: string | undefined, input: IdentifyRequest): Promise<Identified> {
      const secret = await secrets.open(deployment.id);
      if (secret) {
        if (input.userId === undefined) throw invalidField('userId', 'is required: this deployment verifies identities, so identify needs userId and userHash');
        if (input.userHash === undefined) throw identityRefused('userHash is required: this deployment verifies identities (hex HMAC-SHA256 of userId under its identity secret)');
        if (!userHashMatches(secret, input.userId, input.userHash)) {
          throw identityRefused('userHash does not match userId: it must be the hex HMAC-SHA256 of userId under the deployment\'s identity secret');
        }
      }
      const repo = conversationsRepository(db, deployment.workspaceId);
      const contacts = visitorContactsRepository(db, deployment.workspaceId);
      const attributes: Record<string, string | null> = {};
      for (const [key, value] of Object.entries(input.attributes ?? {})) attributes[key] = value === null ? null : String(value);
      if (input.email !== undefined) attributes.email = input.email;
      const details = { displayName: input.name, attributes };

      if (!secret) {
        // No secret, no link: an unverified userId could claim anyone's conversations.
        const visitor = await contactOf(deployment, visitorToken);
        await contacts.setDetails(visitor.contactId, details);
        const open = await repo.openConversationOf(visitor.contactId, deployment.id);
        return { visitorToken: visitor.visitorToken, verified: false, sessionId: open?.id ?? null };
      }

      const userId = input.userId!;
      const current = visitorToken ? await repo.contactByVisitorToken(deployment.deploymentChannelId, sha256Hex(visitorToken)) : undefined;
      const user = await userContact(deployment, userId, input.name);
      let token = visitorToken;
      if (current !== user) {
        const issued = issueVisitorToken();
        await contacts.addVisitorToken(issued.hash, user, deployment.id);
        token = issued.token;
      }
      await contacts.setDetails(user, details);
      let open = await repo.openConversationOf(user, deployment.id);
      // What an anonymous visitor said before signing in becomes the user's; another user's chat never does.
      if (!open && current && current !== user && (await contacts.externalIdOf(current)) === null) {
        const anonymous = await repo.openConversationOf(current, deployment.id);
        if (anonymous) {
          await contacts.moveConversation(anonymous.id, user);
          open = anonymous;
        }
      }
      return { visitorToken: token!, verified: true, sessionId: open?.id ?? null };
    },

    async track(deployment: WebDeploymentRecord, visitorToken: string | undefined, input: TrackRequest): Promise<{ visitorToken: string; event: ContactEvent }> {
      const visitor = await contactOf(deployment, visitorToken);
      const event = await visitorContactsRepository(db, deployment.workspaceId).addEvent(visitor.contactId, deployment.id, input.event, input.data ?? null);
      return { visitorToken: visitor.visitorToken, event };
    },
  };
}
