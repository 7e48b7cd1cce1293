import type { Kysely } from 'kysely';
import type { Secret } from '@switchboard/core';
import type { DB } from '../store/schema.js';
import { isUniqueViolation } from '../store/database.js';
import { newId } from '../store/ids.js';
import { secretsRepository } from '../store/repositories/secrets.js';
import { connectionsRepository } from '../store/repositories/connections.js';
import { SecretBox } from '../secrets/secret-box.js';
import { conflict, notFound } from '../http/errors.js';

export const SECRET_NOT_FOUND = 'Secret not found';

/** The sealing context binds a sealed value to its secret: a copy pasted into another row does not open. */
const context = (id: string) => `secret:${id}`;

/** Workspace secrets: write-only values, sealed under the master key; reads show a mask and a fingerprint. */
export function secretsService(db: Kysely<DB>, box: SecretBox) {
  const listeners: (() => void)[] = [];
  const changed = () => listeners.forEach((listener) => listener());
  const seal = (id: string, value: string) => ({ sealed: box.encrypt(value, context(id)), mask: SecretBox.mask(value), fingerprint: box.fingerprint(value) });

  return {
    async create(workspaceId: string, name: string, value: string): Promise<Secret> {
      const repo = secretsRepository(db, workspaceId);
      if (await repo.findByName(name)) throw conflict(`A secret named "${name}" already exists`, { name });
      const id = newId('secret');
      try {
        return await repo.insert(name, seal(id, value), id);
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(`A secret named "${name}" already exists`, { name });
        throw error;
      }
    },
    async get(workspaceId: string, id: string): Promise<Secret> {
      const secret = await secretsRepository(db, workspaceId).get(id);
      if (!secret) throw notFound(SECRET_NOT_FOUND, { id });
      return secret;
    },
    list(workspaceId: string, page: number, pageSize: number) {
      return secretsRepository(db, workspaceId).list(page, pageSize);
    },
    async replace(workspaceId: string, id: string, value: string): Promise<Secret> {
      const repo = secretsRepository(db, workspaceId);
      if (!(await repo.get(id))) throw notFound(SECRET_NOT_FOUND, { id });
      const replaced = (await repo.replace(id, seal(id, value)))!;
      changed();
      return replaced;
    },
    delete(workspaceId: string, id: string) {
      return db.transaction().execute(async (trx) => {
        const repo = secretsRepository(trx, workspaceId);
        if (!(await repo.get(id))) throw notFound(SECRET_NOT_FOUND, { id });
        const users = await connectionsRepository(trx, workspaceId).usingSecret(id);
        if (users.length > 0) {
          throw conflict(`Secret is used by connection ${users.map((c) => c.id).join(', ')}; change its credentials first`, {
            connectionIds: users.map((c) => c.id),
          });
        }
        return repo.delete(id);
      });
    },
    /** Calls `listener` after any secret's value changes on this node (caches of opened values drop them). */
    onChange(listener: () => void): void {
      listeners.push(listener);
    },
    /** The value itself, for the server's own use (sending through a provider). Never returned by the API. */
    async open(workspaceId: string, id: string): Promise<string | undefined> {
      const sealed = await secretsRepository(db, workspaceId).sealedValue(id);
      return sealed === undefined ? undefined : box.decrypt(sealed, context(id));
    },
  };
}
export type SecretsService = ReturnType<typeof secretsService>;
