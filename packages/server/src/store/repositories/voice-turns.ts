import type { Kysely } from 'kysely';
import type { DB } from '../schema.js';

/** How long the TwiML of a turn is kept for replays: longer than any Twilio call lasts. */
export const VOICE_TURN_TWIML_TTL_MS = 24 * 60 * 60_000;
const PURGE_INTERVAL_MS = 10 * 60_000;

/**
 * Twilio voice turns, one row per (connection, CallSid, turn). The row is claimed before the
 * agent runs, so two copies of one turn never both run it; the TwiML answered is stored on the
 * row and given again to a replay. The key stays after the TwiML is forgotten, so a replay
 * months later still runs nothing.
 */
export function voiceTurnsRepository(db: Kysely<DB>) {
  let lastPurge = 0;

  return {
    /** True when this request is the first for the turn and must answer it. */
    async claim(connectionId: string, callSid: string, number: number, now = Date.now()): Promise<boolean> {
      if (now - lastPurge > PURGE_INTERVAL_MS) {
        lastPurge = now;
        await db
          .updateTable('voice_turns')
          .set({ twiml: null })
          .where('created_at', '<', now - VOICE_TURN_TWIML_TTL_MS)
          .where('twiml', 'is not', null)
          .execute();
      }
      const result = await db
        .insertInto('voice_turns')
        .values({ connection_id: connectionId, call_sid: callSid, turn: number, twiml: null, created_at: now })
        .onConflict((oc) => oc.columns(['connection_id', 'call_sid', 'turn']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    async answered(connectionId: string, callSid: string, number: number, twiml: string): Promise<void> {
      await db
        .updateTable('voice_turns')
        .set({ twiml })
        .where('connection_id', '=', connectionId)
        .where('call_sid', '=', callSid)
        .where('turn', '=', number)
        .execute();
    },

    /** Gives the turn up (the agent failed), so that a retry may answer it. */
    async release(connectionId: string, callSid: string, number: number): Promise<void> {
      await db
        .deleteFrom('voice_turns')
        .where('connection_id', '=', connectionId)
        .where('call_sid', '=', callSid)
        .where('turn', '=', number)
        .where('twiml', 'is', null)
        .execute();
    },

    /** The claimed turn: when it was claimed, and its TwiML once answered (null before, and once forgotten). */
    async get(connectionId: string, callSid: string, number: number): Promise<{ twiml: string | null; claimedAt: number } | undefined> {
      const row = await db
        .selectFrom('voice_turns')
        .select(['twiml', 'created_at'])
        .where('connection_id', '=', connectionId)
        .where('call_sid', '=', callSid)
        .where('turn', '=', number)
        .executeTakeFirst();
      return row && { twiml: row.twiml, claimedAt: row.created_at };
    },
  };
}
