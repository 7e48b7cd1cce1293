import { useState } from 'preact/hooks';
import { api, errorMessage, type Page } from '../../api.js';
import { ConfirmDialog, Dialog } from '../../components/ConfirmDialog.js';
import { CopyButton } from '../../components/CopyButton.js';
import { ListView, usePagedList } from '../../components/ListView.js';
import { toast } from '../../components/Toast.js';
import { WebhookDeliveries } from './WebhookDeliveries.js';
import { WebhookForm, type Subscription } from './WebhookForm.js';

export default function WebhooksPage() {
  const list = usePagedList<Subscription>((page, pageSize, signal) => api.get<Page<Subscription>>('webhooks', { query: { page, pageSize }, signal }));
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<Subscription | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<{ kind: 'delete' | 'rotate'; hook: Subscription; busy: boolean; error: string | null } | null>(null);

  async function act() {
    if (!confirm) return;
    setConfirm({ ...confirm, busy: true, error: null });
    try {
      if (confirm.kind === 'delete') {
        await api.delete(`webhooks/${confirm.hook.id}`);
        toast('Webhook deleted');
      } else {
        const issued = await api.post<{ secret: string }>(`webhooks/${confirm.hook.id}/rotate-secret`);
        setSecret(issued.secret);
      }
      setConfirm(null);
      list.reload();
    } catch (failure) {
      setConfirm({ ...confirm, busy: false, error: errorMessage(failure) });
    }
  }

  return (
    <section aria-labelledby="webhooks-title">
      <div class="page-head">
        <h1 id="webhooks-title">Webhooks</h1>
        <button type="button" onClick={() => setCreating(true)}>
          New webhook
        </button>
      </div>
      {error && (
        <div role="alert" class="notice error">
          <p>{error}</p>
        </div>
      )}
      <ListView
        list={list}
        caption="Webhook subscriptions"
        rowKey={(hook) => hook.id}
        empty={{ title: 'No webhooks', body: 'A webhook receives events (new conversations, messages, handoffs, failed deliveries) signed with its secret.' }}
        columns={[
          { label: 'URL', render: (hook) => <code>{hook.url}</code> },
          { label: 'Events', render: (hook) => hook.events.join(', ') },
          { label: 'Secret', render: (hook) => <span class="mono">{hook.secretMask}</span> },
          { label: 'Active', render: (hook) => (hook.active ? <span class="badge ok">active</span> : <span class="badge">inactive</span>) },
          {
            label: 'Actions',
            class: 'actions-cell',
            render: (hook) => (
              <>
                <button type="button" class="secondary" onClick={() => (setError(null), setOpen(hook))} aria-label={`Test and deliveries for ${hook.url}`}>
                  Test and deliveries
                </button>
                <button type="button" class="secondary" onClick={() => setConfirm({ kind: 'rotate', hook, busy: false, error: null })} aria-label={`Rotate secret of ${hook.url}`}>
                  Rotate secret
                </button>
                <button type="button" class="secondary" onClick={() => setConfirm({ kind: 'delete', hook, busy: false, error: null })} aria-label={`Delete ${hook.url}`}>
                  Delete
                </button>
              </>
            ),
          },
        ]}
      />
      {creating && (
        <Dialog title="New webhook" onClose={() => setCreating(false)}>
          <WebhookForm
            onCancel={() => setCreating(false)}
            onSaved={(issued) => {
              setCreating(false);
              setSecret(issued);
              list.reload();
            }}
          />
        </Dialog>
      )}
      {secret && (
        <Dialog title="Signing secret" onClose={() => setSecret(null)}>
          <p class="notice warn">
            <strong>Copy it now: it will not be shown again.</strong> Verify each delivery's signature with it.
          </p>
          <pre class="secret-shown" data-testid="issued-secret">{secret}</pre>
          <div class="actions">
            <CopyButton text={secret} label="Copy secret" />
            <button type="button" onClick={() => setSecret(null)}>
              Done
            </button>
          </div>
        </Dialog>
      )}
      {open && (
        <Dialog title={`Webhook ${open.url}`} wide onClose={() => setOpen(null)}>
          <WebhookDeliveries hook={open} onClose={() => setOpen(null)} />
        </Dialog>
      )}
      {confirm && (
        <ConfirmDialog
          title={confirm.kind === 'delete' ? 'Delete webhook' : 'Rotate signing secret'}
          confirmLabel={confirm.kind === 'delete' ? 'Delete webhook' : 'Rotate secret'}
          danger
          busy={confirm.busy}
          error={confirm.error}
          onCancel={() => setConfirm(null)}
          onConfirm={() => void act()}
        >
          <p>
            {confirm.kind === 'delete' ? 'Delete' : 'Replace the signing secret of'} <code>{confirm.hook.url}</code>?
            {confirm.kind === 'rotate' && ' The old secret stops working at once.'}
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
