import type { Kysely } from 'kysely';
import { normalizePhoneNumber, type ParsedPhoneConfigurationRequest, type ParsedPhoneConfigurationUpdate } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { isUniqueViolation } from '../store/database.js';
import { workspaceRepositories } from '../store/repositories/index.js';
import { conflict, invalidField, notFound } from '../http/errors.js';
import { connectionsRepository } from '../store/repositories/connections.js';

export const PHONE_NOT_FOUND = 'Phone configuration not found';

export function phoneConfigurationService(db: Kysely<DB>) {
  return {
    async create(workspaceId: string, request: ParsedPhoneConfigurationRequest) {
      const repos = workspaceRepositories(db, workspaceId);
      if (request.connectionId) {
        const connection = await connectionsRepository(db, workspaceId).get(request.connectionId);
        if (!connection) throw notFound('Connection not found', { field: 'connectionId', connectionId: request.connectionId });
        if (connection.provider !== 'twilio') throw invalidField('connectionId', `must be a twilio connection (${request.connectionId} is ${connection.provider})`);
      }
      const existing = await repos.phones.findByNumber(request.phoneNumber);
      if (existing) throw conflict('Phone number already configured', { phoneConfigurationId: existing.id });
      try {
        return await repos.phones.insert(request);
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict('Phone number already configured');
        throw error;
      }
    },
    async get(workspaceId: string, id: string) {
      const phone = await workspaceRepositories(db, workspaceId).phones.get(id);
      if (!phone) throw notFound(PHONE_NOT_FOUND, { id });
      return phone;
    },
    /** `+1 (202) 555-0111` finds the configuration of `+12025550111`. */
    async getByNumber(workspaceId: string, phoneNumber: string) {
      const phone = await workspaceRepositories(db, workspaceId).phones.findByNumber(normalizePhoneNumber(phoneNumber));
      if (!phone) throw notFound(PHONE_NOT_FOUND, { phoneNumber });
      return phone;
    },
    list(workspaceId: string, page: number, pageSize: number) {
      return workspaceRepositories(db, workspaceId).phones.list(page, pageSize);
    },
    async update(workspaceId: string, id: string, { friendlyName }: ParsedPhoneConfigurationUpdate) {
      const repos = workspaceRepositories(db, workspaceId);
      const updated = (await repos.phones.get(id)) && (await repos.phones.setFriendlyName(id, friendlyName));
      if (!updated) throw notFound(PHONE_NOT_FOUND, { id });
      return updated;
    },
    async delete(workspaceId: string, id: string) {
      return db.transaction().execute(async (trx) => {
        const repos = workspaceRepositories(trx, workspaceId);
        if (!(await repos.phones.get(id))) throw notFound(PHONE_NOT_FOUND, { id });
        const users = await repos.channels.usingPhoneConfiguration(id);
        if (users.length > 0) {
          throw conflict(`Phone configuration is used by channel ${users.map((c) => c.id).join(', ')}; delete the channel first`, {
            channelIds: users.map((c) => c.id),
          });
        }
        return repos.phones.delete(id);
      });
    },
  };
}
