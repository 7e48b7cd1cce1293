import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * Migration 0017: the channel counters of migration 0002, spread over slots on PostgreSQL.
 *
 * Measured on PostgreSQL 15 (100,000 channels inserted 500 per statement in one transaction):
 * the row trigger rewrote the one counter row per channel, so the load took 313 s and left
 * 542 heap blocks of dead row versions that the list total then read; counted once per
 * statement (a trigger over the statement's transition table) the same load took 5.3 s and the
 * total reads 3 blocks. Single-row inserts from 8 connections: 712/s with one counter row (each
 * insert waits for the previous one's commit to release the row), 1,339/s with 8 slots.
 *
 * A transaction adds to one slot picked from its transaction id, so all its statements touch the
 * same counter rows (in the same order as before, so no new deadlocks) and concurrent transactions
 * mostly touch different ones. A slot may go negative (deletes land in any slot); the sum of a
 * group's slots is its exact count, and readers already sum.
 *
 * SQLite has one writer at a time, so it gains nothing from slots: it gets the column (the same
 * schema on both engines, for `migrate-data`) and keeps counting into slot 0.
 */
export const CHANNEL_COUNT_SLOTS = 8;

export const channelCountSlots: Migration = {
  async up(db: Kysely<any>) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
      await sql`ALTER TABLE channel_counts ADD COLUMN slot integer NOT NULL DEFAULT 0`.execute(db);
      return;
    }
    await sql`DROP TRIGGER channel_counts_track ON deployment_channels`.execute(db);
    await sql`DROP FUNCTION channel_counts_track()`.execute(db);
    await sql`ALTER TABLE channel_counts ADD COLUMN slot integer NOT NULL DEFAULT 0`.execute(db);
    await sql`ALTER TABLE channel_counts DROP CONSTRAINT channel_counts_pk`.execute(db);
    await sql`ALTER TABLE channel_counts ADD CONSTRAINT channel_counts_pk PRIMARY KEY (workspace_id, deployment_type, slot)`.execute(db);
    const slot = sql.raw(`(txid_current() % ${CHANNEL_COUNT_SLOTS})::integer`);
    for (const [name, sign, table] of [
      ['channel_counts_add', '', 'inserted'],
      ['channel_counts_remove', '-', 'deleted'],
    ] as const) {
      await sql`CREATE FUNCTION ${sql.raw(name)}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO channel_counts (workspace_id, deployment_type, slot, count)
            SELECT workspace_id, deployment_type, ${slot}, ${sql.raw(sign)}count(*) FROM ${sql.raw(table)} GROUP BY workspace_id, deployment_type
              ORDER BY workspace_id, deployment_type
          ON CONFLICT (workspace_id, deployment_type, slot) DO UPDATE SET count = channel_counts.count + EXCLUDED.count;
          RETURN NULL;
        END $$`.execute(db);
    }
    await sql`CREATE TRIGGER channel_counts_track AFTER INSERT ON deployment_channels
      REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION channel_counts_add()`.execute(db);
    await sql`CREATE TRIGGER channel_counts_untrack AFTER DELETE ON deployment_channels
      REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION channel_counts_remove()`.execute(db);
  },
};
