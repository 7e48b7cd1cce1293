/**
 * A credential change announced inside a transaction is announced at once and again after the
 * commit, so a cache that kept a read made on another connection before the commit drops it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { announceCredentialChange, onCredentialChange } from '../../packages/server/src/store/credential-changes.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../helpers/engines.js';

describe.each(ENGINES)('credential changes announced in transactions, on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await database.destroy();
  });

  it('are heard at once and again after the commit; after a rollback, not again', async () => {
    const heard: string[] = [];
    const stop = onCredentialChange(database.db, (change) => heard.push(change.id));
    try {
      await database.db.transaction().execute(async (trx) => {
        announceCredentialChange(trx, { kind: 'apiKey', id: 'key_committed' });
        await sql`select 1`.execute(trx);
        expect(heard).toEqual(['key_committed']);
      });
      expect(heard).toEqual(['key_committed', 'key_committed']);

      await expect(
        database.db.transaction().execute(async (trx) => {
          announceCredentialChange(trx, { kind: 'webDeployment', id: 'wdep_rolled_back' });
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      expect(heard).toEqual(['key_committed', 'key_committed', 'wdep_rolled_back']);

      announceCredentialChange(database.db, { kind: 'workspace', id: 'ws_outside' });
      expect(heard).toEqual(['key_committed', 'key_committed', 'wdep_rolled_back', 'ws_outside']);
    } finally {
      stop();
    }
  });
});
