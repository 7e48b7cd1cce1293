import { useState } from 'preact/hooks';
import { api, errorMessage, type Page } from '../../api.js';
import { ConfirmDialog, Dialog } from '../../components/ConfirmDialog.js';
import { ListView, usePagedList } from '../../components/ListView.js';
import { Time } from '../../components/Time.js';
import { toast } from '../../components/Toast.js';
import { ConnectionDetail } from './ConnectionDetail.js';
import { ConnectionForm, type ConnectionView } from './ConnectionForm.js';
import { PROVIDERS, type ProviderSpec } from './providers.js';

const label = (id: string) => PROVIDERS.find((provider) => provider.id === id)?.label ?? id;

export default function ConnectionsPage() {
  const list = usePagedList<ConnectionView>((page, pageSize, signal) => api.get<Page<ConnectionView>>('connections', { query: { page, pageSize }, signal }));
  const [catalogue, setCatalogue] = useState(false);
  const [creating, setCreating] = useState<ProviderSpec | null>(null);
  const [open, setOpen] = useState<ConnectionView | null>(null);
  const [deleting, setDeleting] = useState<{ connection: ConnectionView; busy: boolean; error: string | null } | null>(null);

  async function confirmDelete() {
    if (!deleting) return;
    setDeleting({ ...deleting, busy: true, error: null });
    try {
      await api.delete(`connections/${deleting.connection.id}`);
      toast(`Connection ${deleting.connection.name} deleted`);
      setDeleting(null);
      setOpen(null);
      list.reload();
    } catch (error) {
      setDeleting({ ...deleting, busy: false, error: errorMessage(error) });
    }
  }

  return (
    <section aria-labelledby="connections-title">
      <div class="page-head">
        <h1 id="connections-title">Connections</h1>
        <button type="button" onClick={() => setCatalogue(!catalogue)} aria-expanded={catalogue}>
          New connection
        </button>
      </div>
      {catalogue && (
        <section aria-labelledby="catalogue-title">
          <h2 id="catalogue-title">Choose a provider</h2>
          <div class="cards">
            {PROVIDERS.map((provider) => (
              <div class="card" key={provider.id}>
                <h3>{provider.label}</h3>
                <p class="muted">{provider.summary}</p>
                <button type="button" class="secondary" onClick={() => setCreating(provider)} aria-label={`Connect ${provider.label}`}>
                  Connect
                </button>
              </div>
            ))}
          </div>
        </section>
      )}
      <ListView
        list={list}
        caption="Connections"
        rowKey={(connection) => connection.id}
        empty={{
          title: 'No connections yet',
          body: 'A connection holds a provider account (Twilio, Meta, LINE, a helpdesk…) that channels send and receive through.',
          action: (
            <button type="button" onClick={() => setCatalogue(true)}>
              Choose a provider
            </button>
          ),
        }}
        columns={[
          { label: 'Name', render: (connection) => connection.name },
          { label: 'Provider', render: (connection) => <span class="badge">{label(connection.provider)}</span> },
          { label: 'Created', render: (connection) => <Time value={connection.createdAt} /> },
          {
            label: 'Actions',
            class: 'actions-cell',
            render: (connection) => (
              <>
                <button type="button" class="secondary" onClick={() => setOpen(connection)} aria-label={`Open ${connection.name}`}>
                  Open
                </button>
                <button type="button" class="secondary" onClick={() => setDeleting({ connection, busy: false, error: null })} aria-label={`Delete ${connection.name}`}>
                  Delete
                </button>
              </>
            ),
          },
        ]}
      />
      {creating && (
        <Dialog title={`New ${creating.label} connection`} wide onClose={() => setCreating(null)}>
          <ConnectionForm
            provider={creating}
            onCancel={() => setCreating(null)}
            onSaved={(connection) => {
              setCreating(null);
              setCatalogue(false);
              toast(`Connection ${connection.name} created`);
              setOpen(connection);
              list.reload();
            }}
          />
        </Dialog>
      )}
      {open && (
        <Dialog title={open.name} wide onClose={() => setOpen(null)}>
          <ConnectionDetail connection={open} onChanged={setOpen} onDelete={() => setDeleting({ connection: open, busy: false, error: null })} onClose={() => setOpen(null)} />
        </Dialog>
      )}
      {deleting && (
        <ConfirmDialog title="Delete connection" confirmLabel="Delete connection" danger busy={deleting.busy} error={deleting.error} onCancel={() => setDeleting(null)} onConfirm={() => void confirmDelete()}>
          <p>
            Delete <strong>{deleting.connection.name}</strong>? Channels using it stop sending and receiving.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
