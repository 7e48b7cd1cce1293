import { useState } from 'preact/hooks';
import { api, errorMessage, type Page } from '../../api.js';
import { CopyButton } from '../../components/CopyButton.js';
import { ListView, usePagedList } from '../../components/ListView.js';
import { Time } from '../../components/Time.js';
import type { ConnectionView } from './ConnectionForm.js';
import { SetupText } from '../../components/SetupText.js';

interface InboundActivity {
  id: string;
  outcome: 'accepted' | 'refused';
  status?: string;
  error?: string | null;
  httpStatus?: number;
  reason?: string;
  receivedAt: number;
}

/** A connection's inbound URL and secret, its recent inbound events, rotation and deletion. */
export function ConnectionDetail(props: { connection: ConnectionView; onChanged: (connection: ConnectionView) => void; onDelete: () => void; onClose: () => void }) {
  const { connection } = props;
  const events = usePagedList<InboundActivity>(
    (page, pageSize, signal) => api.get<Page<InboundActivity>>(`connections/${connection.id}/inbound-events`, { query: { page, pageSize }, signal }),
    connection.id,
  );
  const [rotating, setRotating] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });

  async function rotate() {
    setRotating({ busy: true, error: null });
    try {
      props.onChanged(await api.post<ConnectionView>(`connections/${connection.id}/rotate-inbound-secret`));
      setRotating({ busy: false, error: null });
    } catch (error) {
      setRotating({ busy: false, error: errorMessage(error) });
    }
  }

  return (
    <div class="connection-detail">
      <dl>
        <dt>Inbound URL</dt>
        <dd>
          <code data-testid="inbound-url">{connection.inboundUrl}</code> <CopyButton text={connection.inboundUrl} label="Copy inbound URL" />
        </dd>
        <dt>Inbound secret</dt>
        <dd>
          <code data-testid="inbound-secret">{connection.inboundSecret}</code> <CopyButton text={connection.inboundSecret} label="Copy inbound secret" />{' '}
          <button type="button" class="secondary" disabled={rotating.busy} onClick={() => void rotate()}>
            {rotating.busy ? 'Rotating…' : 'Rotate inbound secret'}
          </button>
        </dd>
        {Object.entries(connection.credentials).map(([name, credential]) => (
          <>
            <dt key={`${name}-t`}>{name}</dt>
            <dd key={`${name}-d`}>
              set <span class="mono">({credential.mask})</span>
            </dd>
          </>
        ))}
      </dl>
      {rotating.error && (
        <p role="alert" class="notice error">
          {rotating.error}
        </p>
      )}
      {connection.setup && (
        <p class="hint setup">
          <SetupText text={connection.setup} />
        </p>
      )}
      <div class="page-head">
        <h3>Recent inbound events</h3>
        <button type="button" class="secondary" onClick={events.reload}>
          Refresh events
        </button>
      </div>
      <ListView
        list={events}
        caption="Recent inbound events"
        rowKey={(event) => event.id}
        empty={{ title: 'Nothing received yet', body: 'Events appear here once the provider posts to the inbound URL.' }}
        columns={[
          {
            label: 'Outcome',
            render: (event) => <span class={`badge ${event.outcome === 'accepted' ? 'ok' : 'bad'}`}>{event.outcome}</span>,
          },
          { label: 'Status', render: (event) => (event.outcome === 'accepted' ? event.status : `HTTP ${event.httpStatus}`) },
          { label: 'Detail', render: (event) => (event.outcome === 'accepted' ? (event.error ?? '—') : event.reason) },
          { label: 'Received', render: (event) => <Time value={event.receivedAt} /> },
        ]}
      />
      <div class="actions">
        <button type="button" class="danger" onClick={props.onDelete}>
          Delete connection
        </button>
        <button type="button" class="secondary" onClick={props.onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
