import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { api, ApiFailure, errorMessage, type Page } from '../../api.js';
import { ConfirmDialog, Dialog } from '../../components/ConfirmDialog.js';
import { Checkbox } from '../../components/Form.js';
import { ListView, usePagedList } from '../../components/ListView.js';
import { Time } from '../../components/Time.js';
import { toast } from '../../components/Toast.js';
import { CHANNEL_TYPES, type Channel } from '../../types.js';
import { ChannelForm } from './ChannelForm.js';
import { PHONE_TYPES } from './channel-types.js';
import { PhoneConfigurations } from './PhoneConfigurations.js';

interface DeleteState {
  channel: Channel;
  deletePhoneConfig: boolean;
  busy: boolean;
  error: string | null;
  /** When a deployment binds the channel: the agent whose deploy page manages it. */
  boundAgentId?: string | undefined;
}

export default function ChannelsPage() {
  const location = useLocation();
  const [type, setType] = useState(CHANNEL_TYPES.includes(location.query.type as never) ? location.query.type! : '');
  const [search, setSearch] = useState('');
  const [needle, setNeedle] = useState('');
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const [deleting, setDeleting] = useState<DeleteState | null>(null);
  // The server searches every page; ask once typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => setNeedle(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);
  const list = usePagedList<Channel>(
    (page, pageSize, signal) =>
      api.get<Page<Channel>>(type ? `deployment-channels/by-type/${type}` : 'deployment-channels', { query: { page, pageSize, search: needle || undefined }, signal }),
    `${type}\n${needle}`,
  );

  async function confirmDelete() {
    if (!deleting) return;
    const target = deleting;
    setDeleting({ ...target, busy: true, error: null });
    try {
      const query = PHONE_TYPES.includes(target.channel.deploymentType) ? { deletePhoneConfig: target.deletePhoneConfig } : {};
      await api.delete(`deployment-channels/${target.channel.id}`, { query });
      setDeleting(null);
      toast(`Channel ${target.channel.channelName ?? target.channel.channelIdentifier} deleted`);
      list.reload();
    } catch (error) {
      let boundAgentId: string | undefined;
      const deploymentId = error instanceof ApiFailure && error.status === 409 ? error.meta.deploymentId : undefined;
      if (typeof deploymentId === 'string') {
        try {
          boundAgentId = (await api.get<{ agentId: string }>(`deployment-configurations/${deploymentId}`)).agentId;
        } catch {
          boundAgentId = undefined;
        }
      }
      setDeleting({ ...target, busy: false, error: errorMessage(error), boundAgentId });
    }
  }

  return (
    <section aria-labelledby="channels-title">
      <div class="page-head">
        <h1 id="channels-title">Channels</h1>
        <button type="button" onClick={() => setEditing('new')}>
          New channel
        </button>
      </div>
      <div class="toolbar" role="search">
        <div class="field">
          <label for="channel-type-filter">Type</label>
          <select
            id="channel-type-filter"
            value={type}
            onChange={(event) => {
              const value = event.currentTarget.value;
              setType(value);
              location.route(value ? `/console/channels?type=${value}` : '/console/channels', true);
            }}
          >
            <option value="">All types</option>
            {CHANNEL_TYPES.map((t) => (
              <option value={t}>{t}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="channel-search">Search</label>
          <input id="channel-search" type="search" value={search} onInput={(event) => setSearch(event.currentTarget.value)} aria-describedby="channel-search-hint" />
          <p id="channel-search-hint" class="hint">
            Name or identifier, in any case.
          </p>
        </div>
      </div>
      <ListView
        list={list}
        caption="Channels"
        rowKey={(channel) => channel.id}
        empty={{
          title: needle ? `No channel matches “${needle}”` : type ? `No ${type} channels` : 'No channels yet',
          body: 'A channel is where conversations arrive: a phone number, a website, an app or a messaging account.',
          action: (
            <button type="button" onClick={() => setEditing('new')}>
              Create a channel
            </button>
          ),
        }}
        columns={[
          { label: 'Name', render: (channel) => channel.channelName ?? <span class="muted">—</span> },
          { label: 'Type', render: (channel) => <span class="badge">{channel.deploymentType}</span> },
          { label: 'Identifier', render: (channel) => <span class="mono">{channel.channelIdentifier}</span> },
          { label: 'Created', render: (channel) => <Time value={channel.createdAt} /> },
          {
            label: 'Actions',
            class: 'actions-cell',
            render: (channel) => (
              <>
                <button type="button" class="secondary" onClick={() => setEditing(channel)} aria-label={`Edit ${channel.channelName ?? channel.channelIdentifier}`}>
                  Edit
                </button>
                <button
                  type="button"
                  class="secondary"
                  onClick={() => setDeleting({ channel, deletePhoneConfig: false, busy: false, error: null })}
                  aria-label={`Delete ${channel.channelName ?? channel.channelIdentifier}`}
                >
                  Delete
                </button>
              </>
            ),
          },
        ]}
      />
      {editing && (
        <Dialog title={editing === 'new' ? 'New channel' : 'Edit channel'} onClose={() => setEditing(null)}>
          <ChannelForm
            channel={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={(channel) => {
              setEditing(null);
              toast(`Channel ${channel.channelName ?? channel.channelIdentifier} saved`);
              list.reload();
            }}
          />
        </Dialog>
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete channel"
          confirmLabel="Delete channel"
          danger
          busy={deleting.busy}
          onCancel={() => setDeleting(null)}
          onConfirm={() => void confirmDelete()}
          error={
            deleting.error && (
              <>
                <p>{deleting.error}</p>
                {deleting.boundAgentId && (
                  <p>
                    A deployment binds this channel. <a href={`/console/agents/${deleting.boundAgentId}/deploy`}>Open that agent's deploy page</a> to remove it first.
                  </p>
                )}
              </>
            )
          }
        >
          <p>
            Delete <strong>{deleting.channel.channelName ?? deleting.channel.channelIdentifier}</strong> ({deleting.channel.deploymentType})? Conversations stop arriving on it.
          </p>
          {PHONE_TYPES.includes(deleting.channel.deploymentType) && (
            <Checkbox
              label="Also delete its phone configuration"
              name="deletePhoneConfig"
              checked={deleting.deletePhoneConfig}
              onValue={(value) => setDeleting({ ...deleting, deletePhoneConfig: value })}
              hint="Kept anyway while another channel uses the number."
            />
          )}
        </ConfirmDialog>
      )}
      <PhoneConfigurations />
    </section>
  );
}
