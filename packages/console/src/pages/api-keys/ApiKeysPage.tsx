import { useState } from 'preact/hooks';
import { api, ApiFailure, errorMessage, type Page } from '../../api.js';
import { ConfirmDialog, Dialog } from '../../components/ConfirmDialog.js';
import { CopyButton } from '../../components/CopyButton.js';
import { FormError, SelectField, TextField, useSubmit } from '../../components/Form.js';
import { ListView, usePagedList } from '../../components/ListView.js';
import { Time } from '../../components/Time.js';
import { toast } from '../../components/Toast.js';
import { useSession } from '../../session.js';

interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scope: 'admin' | 'read';
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export default function ApiKeysPage() {
  const { session } = useSession();
  const base = `workspaces/${session.workspace.id}/keys`;
  const [forbidden, setForbidden] = useState(false);
  const list = usePagedList<ApiKey>((page, pageSize, signal) =>
    api.get<Page<ApiKey>>(base, { query: { page, pageSize }, signal }).catch((error: unknown) => {
      if (error instanceof ApiFailure && error.status === 403) setForbidden(true);
      throw error;
    }),
  );
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<{ key: ApiKey; busy: boolean; error: string | null } | null>(null);
  const submit = useSubmit();
  const [name, setName] = useState('');
  const [scope, setScope] = useState('admin');

  if (forbidden) {
    return (
      <section aria-labelledby="keys-title">
        <h1 id="keys-title">API keys</h1>
        <div role="alert" class="notice error">
          <p>Not allowed: your role cannot manage this workspace's API keys.</p>
        </div>
      </section>
    );
  }

  async function create(event: Event) {
    event.preventDefault();
    const key = await submit.run(() => api.post<{ key: string }>(base, { name, scope }));
    if (!key) return;
    setCreating(false);
    setName('');
    setIssued(key.key);
    list.reload();
  }

  async function revoke() {
    if (!revoking) return;
    setRevoking({ ...revoking, busy: true, error: null });
    try {
      await api.post(`${base}/${revoking.key.id}/revoke`);
      toast(`Key ${revoking.key.name} revoked`);
      setRevoking(null);
      list.reload();
    } catch (error) {
      setRevoking({ ...revoking, busy: false, error: errorMessage(error) });
    }
  }

  return (
    <section aria-labelledby="keys-title">
      <div class="page-head">
        <h1 id="keys-title">API keys</h1>
        <button type="button" onClick={() => setCreating(true)}>
          New API key
        </button>
      </div>
      <ListView
        list={list}
        caption="API keys"
        rowKey={(key) => key.id}
        empty={{ title: 'No API keys', body: 'Keys let your own systems call the /v1 API.' }}
        columns={[
          { label: 'Name', render: (key) => key.name },
          { label: 'Prefix', render: (key) => <code>{key.prefix}…</code> },
          { label: 'Scope', render: (key) => <span class="badge">{key.scope}</span> },
          { label: 'Last used', render: (key) => <Time value={key.lastUsedAt} empty="never" /> },
          { label: 'Status', render: (key) => (key.revokedAt ? <span class="badge bad">revoked</span> : <span class="badge ok">active</span>) },
          {
            label: 'Actions',
            class: 'actions-cell',
            render: (key) =>
              key.revokedAt ? null : (
                <button type="button" class="secondary" onClick={() => setRevoking({ key, busy: false, error: null })} aria-label={`Revoke ${key.name}`}>
                  Revoke
                </button>
              ),
          },
        ]}
      />
      {creating && (
        <Dialog title="New API key" onClose={() => setCreating(false)}>
          <form onSubmit={(event) => void create(event)} noValidate>
            <FormError state={submit} shown={['name', 'scope']} />
            <TextField label="Name" name="name" value={name} onValue={setName} error={submit.fields.name} />
            <SelectField
              label="Scope"
              name="scope"
              value={scope}
              onValue={setScope}
              error={submit.fields.scope}
              options={[
                ['admin', 'admin: every method'],
                ['read', 'read: GET only'],
              ]}
            />
            <div class="actions">
              <button type="submit" disabled={submit.busy}>
                Create key
              </button>
              <button type="button" class="secondary" onClick={() => setCreating(false)}>
                Cancel
              </button>
            </div>
          </form>
        </Dialog>
      )}
      {issued && (
        <Dialog title="Your new API key" onClose={() => setIssued(null)}>
          <p class="notice warn">
            <strong>Copy it now: it will not be shown again.</strong>
          </p>
          <pre class="secret-shown" data-testid="issued-secret">{issued}</pre>
          <div class="actions">
            <CopyButton text={issued} label="Copy key" />
            <button type="button" onClick={() => setIssued(null)}>
              Done
            </button>
          </div>
        </Dialog>
      )}
      {revoking && (
        <ConfirmDialog title="Revoke API key" confirmLabel="Revoke key" danger busy={revoking.busy} error={revoking.error} onCancel={() => setRevoking(null)} onConfirm={() => void revoke()}>
          <p>
            Revoke <strong>{revoking.key.name}</strong> (<code>{revoking.key.prefix}…</code>)? Requests with it are refused from now on.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
