import { useState } from 'preact/hooks';
import { api, errorMessage, type Page } from '../../api.js';
import { ListView, usePagedList } from '../../components/ListView.js';
import { Time } from '../../components/Time.js';
import type { DeliveryRow } from '../deliveries/DeliveriesPage.js';
import type { Subscription } from './WebhookForm.js';

/** Test send, and this subscription's event deliveries (GET /v1/deliveries?subscriptionId=). */
export function WebhookDeliveries(props: { hook: Subscription; onClose: () => void }) {
  const list = usePagedList<DeliveryRow>(
    (page, pageSize, signal) => api.get<Page<DeliveryRow>>('deliveries', { query: { page, pageSize, subscriptionId: props.hook.id }, signal }),
    props.hook.id,
  );
  const [test, setTest] = useState<{ busy: boolean; error: string | null; delivery: DeliveryRow | null }>({ busy: false, error: null, delivery: null });

  async function send() {
    setTest({ busy: true, error: null, delivery: null });
    try {
      const queued = await api.post<{ deliveryId: string }>(`webhooks/${props.hook.id}/test`);
      await new Promise((resolve) => setTimeout(resolve, 800));
      const delivery = await api.get<DeliveryRow>(`deliveries/${queued.deliveryId}`);
      setTest({ busy: false, error: null, delivery });
      list.reload();
    } catch (error) {
      setTest({ busy: false, error: errorMessage(error), delivery: null });
    }
  }

  return (
    <div>
      <div class="actions">
        <button type="button" disabled={test.busy} onClick={() => void send()}>
          {test.busy ? 'Sending…' : 'Send test event'}
        </button>
      </div>
      <div role="status">
        {test.delivery && (
          <p class="notice">
            Test delivery <code>{test.delivery.id}</code>: <strong>{test.delivery.status}</strong> after {test.delivery.attempts} attempt(s)
            {test.delivery.lastError && <> — {test.delivery.lastError}</>}
          </p>
        )}
      </div>
      {test.error && (
        <div role="alert" class="notice error">
          <p>{test.error}</p>
        </div>
      )}
      <h3>Recent deliveries</h3>
      <ListView
        list={list}
        caption="Recent deliveries"
        rowKey={(delivery) => delivery.id}
        empty={{ title: 'No deliveries of this webhook yet', body: 'Events it listens to, and test events, show up here.' }}
        columns={[
          { label: 'Status', render: (delivery) => <span class="badge">{delivery.status}</span> },
          { label: 'Attempts', render: (delivery) => delivery.attempts },
          { label: 'Error', render: (delivery) => delivery.lastError ?? '—' },
          { label: 'Updated', render: (delivery) => <Time value={delivery.updatedAt} /> },
        ]}
      />
      <div class="actions">
        <button type="button" class="secondary" onClick={props.onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
