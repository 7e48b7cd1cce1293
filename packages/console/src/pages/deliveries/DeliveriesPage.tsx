import { useState } from 'preact/hooks';
import { api, errorMessage, type Page } from '../../api.js';
import { ListView, usePagedList } from '../../components/ListView.js';
import { Time } from '../../components/Time.js';
import { toast } from '../../components/Toast.js';

export interface DeliveryRow {
  id: string;
  kind: 'reply' | 'event';
  connectionId: string;
  conversationId: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  sentAt: number | null;
}

const STATUSES = ['dead', 'pending', 'sending', 'sent', ''] as const;

export default function DeliveriesPage() {
  const [status, setStatus] = useState<string>('dead');
  const list = usePagedList<DeliveryRow>(
    (page, pageSize, signal) => api.get<Page<DeliveryRow>>('deliveries', { query: { page, pageSize, ...(status && { status }) }, signal }),
    status,
  );
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function retry(delivery: DeliveryRow) {
    setBusy(delivery.id);
    setError(null);
    try {
      await api.post(`deliveries/${delivery.id}/retry`);
      toast('Delivery queued again');
      list.reload();
    } catch (failure) {
      setError(errorMessage(failure));
    }
    setBusy(null);
  }

  return (
    <section aria-labelledby="deliveries-title">
      <div class="page-head">
        <h1 id="deliveries-title">Deliveries</h1>
        <label>
          Status{' '}
          <select value={status} onChange={(event) => setStatus(event.currentTarget.value)}>
            {STATUSES.map((value) => (
              <option value={value}>{value || 'all'}</option>
            ))}
          </select>
        </label>
      </div>
      {error && (
        <div role="alert" class="notice error">
          <p>{error}</p>
        </div>
      )}
      <ListView
        list={list}
        caption="Deliveries"
        rowKey={(delivery) => delivery.id}
        empty={{ title: status === 'dead' ? 'No dead letters' : 'No deliveries', body: 'Replies and webhook events that ran out of attempts appear here.' }}
        columns={[
          { label: 'Kind', render: (delivery) => <span class="badge">{delivery.kind}</span> },
          { label: 'Status', render: (delivery) => <span class={`badge ${delivery.status === 'dead' ? 'bad' : delivery.status === 'sent' ? 'ok' : ''}`}>{delivery.status}</span> },
          { label: 'Provider error', render: (delivery) => delivery.lastError ?? <span class="muted">—</span> },
          { label: 'Attempts', render: (delivery) => `${delivery.attempts} of ${delivery.maxAttempts}` },
          { label: 'Created', render: (delivery) => <Time value={delivery.createdAt} /> },
          { label: 'Updated', render: (delivery) => <Time value={delivery.updatedAt} /> },
          {
            label: 'Actions',
            class: 'actions-cell',
            render: (delivery) =>
              delivery.status === 'dead' ? (
                <button type="button" class="secondary" disabled={busy === delivery.id} onClick={() => void retry(delivery)} aria-label={`Retry delivery ${delivery.id}`}>
                  Retry
                </button>
              ) : null,
          },
        ]}
      />
    </section>
  );
}
