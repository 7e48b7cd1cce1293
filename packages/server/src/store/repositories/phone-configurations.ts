import { monotonicNow } from '../clock.js';
import type { Kysely, Selectable } from 'kysely';
import { phoneStatusOf, type PaginatedResult, type PhoneConfiguration, type PhoneProvider } from '@switchboard/core';
import type { DB, PhoneConfigurationsTable } from '../schema.js';
import { newId } from '../ids.js';
import { paginate } from './paginate.js';
import { deleteInWorkspace } from './scoped.js';
import { fixedSql, selectFixed } from '../fixed-sql.js';

/** The number an inbound provider event is addressed to, on its connection: looked up on every event, so fixed SQL (store/fixed-sql.ts). */
const BY_CONNECTION_AND_NUMBER = fixedSql(
  'select * from "phone_configurations" where "workspace_id" = ? and "connection_id" = ? and "phone_number" = ?',
);
type PhoneRow = Selectable<PhoneConfigurationsTable>;

/** Switchboard's fields and WIIL's; a registered number was bought elsewhere, so it is imported. */
function toPhoneConfiguration(row: PhoneRow): PhoneConfiguration {
  return {
    id: row.id,
    phoneNumber: row.phone_number,
    provider: row.provider as PhoneProvider,
    providerType: row.provider as PhoneProvider,
    friendlyName: row.friendly_name,
    status: phoneStatusOf(row.voice_channel_id, row.sms_channel_id),
    voiceChannelId: row.voice_channel_id,
    smsChannelId: row.sms_channel_id,
    connectionId: row.connection_id,
    isImported: true,
    isPorted: false,
    markedForRelease: false,
    isUSSMSPermitted: false,
    providerPhoneNumberId: null,
    phoneRequestId: null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Which tracking column a channel type occupies on its phone configuration. */
export type PhoneChannelSlot = 'voice_channel_id' | 'sms_channel_id';

export function phoneConfigurationsRepository(db: Kysely<DB>, workspaceId: string) {
  const scoped = () => db.selectFrom('phone_configurations').where('workspace_id', '=', workspaceId);
  const update = (id: string) =>
    db.updateTable('phone_configurations').where('workspace_id', '=', workspaceId).where('id', '=', id);
  return {
    async insert(input: { id?: string; phoneNumber: string; provider: PhoneProvider; friendlyName?: string | undefined; connectionId?: string | undefined }) {
      const now = monotonicNow();
      const row: PhoneRow = {
        id: input.id ?? newId('phoneConfiguration'),
        workspace_id: workspaceId,
        phone_number: input.phoneNumber,
        provider: input.provider,
        friendly_name: input.friendlyName ?? null,
        voice_channel_id: null,
        sms_channel_id: null,
        connection_id: input.connectionId ?? null,
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('phone_configurations').values(row).execute();
      return toPhoneConfiguration(row);
    },
    async get(id: string): Promise<PhoneConfiguration | undefined> {
      const row = await scoped().selectAll().where('id', '=', id).executeTakeFirst();
      return row && toPhoneConfiguration(row);
    },
    async forConnection(connectionId: string, phoneNumber: string): Promise<PhoneConfiguration | undefined> {
      const [row] = await selectFixed<PhoneRow>(db, BY_CONNECTION_AND_NUMBER, [workspaceId, connectionId, phoneNumber]);
      return row && toPhoneConfiguration(row);
    },
    async findByNumber(phoneNumber: string): Promise<PhoneConfiguration | undefined> {
      const row = await scoped().selectAll().where('phone_number', '=', phoneNumber).executeTakeFirst();
      return row && toPhoneConfiguration(row);
    },
    list(page: number, pageSize: number): Promise<PaginatedResult<PhoneConfiguration>> {
      return paginate(scoped(), page, pageSize, (q) => q.selectAll(), toPhoneConfiguration);
    },
    async setFriendlyName(id: string, friendlyName: string | null): Promise<PhoneConfiguration | undefined> {
      await update(id).set({ friendly_name: friendlyName, updated_at: monotonicNow() }).execute();
      return this.get(id);
    },
    async track(id: string, slot: PhoneChannelSlot, channelId: string | null): Promise<void> {
      await update(id).set({ [slot]: channelId, updated_at: monotonicNow() }).execute();
    },
    delete(id: string): Promise<boolean> {
      return deleteInWorkspace(db, 'phone_configurations', workspaceId, id);
    },
  };
}
