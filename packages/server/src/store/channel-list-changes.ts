import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';
import { CHANNEL_COUNT_SLOTS } from './channel-count-slots.js';

/**
 * Migration 0018: a change count beside each channel count. Every insert and every delete adds to
 * `changes` in the transaction that makes it (the count itself can come back to where it was: a
 * delete and an insert), so the sum of a group's `changes` read with a page names the rows that
 * page was read from. Remembered page positions (store/list-positions.ts) are used only while it
 * has not moved.
 */
export const channelListChanges: Migration = {
  async up(db: Kysely<any>) {
    await sql`ALTER TABLE channel_counts ADD COLUMN changes bigint NOT NULL DEFAULT 0`.execute(db);
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) {
      await sql`DROP TRIGGER channel_counts_insert`.execute(db);
      await sql`DROP TRIGGER channel_counts_delete`.execute(db);
      await sql`CREATE TRIGGER channel_counts_insert AFTER INSERT ON deployment_channels BEGIN
          INSERT INTO channel_counts (workspace_id, deployment_type, count, changes) VALUES (NEW.workspace_id, NEW.deployment_type, 1, 1)
          ON CONFLICT (workspace_id, deployment_type) DO UPDATE SET count = count + 1, changes = changes + 1;
        END`.execute(db);
      await sql`CREATE TRIGGER channel_counts_delete AFTER DELETE ON deployment_channels BEGIN
          UPDATE channel_counts SET count = count - 1, changes = changes + 1
          WHERE workspace_id = OLD.workspace_id AND deployment_type = OLD.deployment_type;
        END`.execute(db);
      return;
    }
    // The functions of migration 0017, counting changes too; the triggers calling them stay.
    const slot = sql.raw(`(txid_current() % ${CHANNEL_COUNT_SLOTS})::integer`);
    for (const [name, sign, table] of [
      ['channel_counts_add', '', 'inserted'],
      ['channel_counts_remove', '-', 'deleted'],
    ] as const) {
      await sql`CREATE OR REPLACE FUNCTION ${sql.raw(name)}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          INSERT INTO channel_counts (workspace_id, deployment_type, slot, count, changes)
            SELECT workspace_id, deployment_type, ${slot}, ${sql.raw(sign)}count(*), count(*) FROM ${sql.raw(table)} GROUP BY workspace_id, deployment_type
              ORDER BY workspace_id, deployment_type
          ON CONFLICT (workspace_id, deployment_type, slot) DO UPDATE
            SET count = channel_counts.count + EXCLUDED.count, changes = channel_counts.changes + EXCLUDED.changes;
          RETURN NULL;
        END $$`.execute(db);
    }
  },
};
