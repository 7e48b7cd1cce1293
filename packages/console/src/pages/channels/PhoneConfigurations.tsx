import { useState } from 'preact/hooks';
import { api, type Page } from '../../api.js';
import { ConfirmDialog, Dialog } from '../../components/ConfirmDialog.js';
import { FormError, SelectField, TextField, useSubmit } from '../../components/Form.js';
import { ListView, usePagedList } from '../../components/ListView.js';
import { Time } from '../../components/Time.js';
import { toast } from '../../components/Toast.js';
import { errorMessage } from '../../api.js';
import type { PhoneConfiguration } from '../../types.js';

const PROVIDERS = [
  ['twilio', 'Twilio'],
  ['signal-wire', 'SignalWire'],
  ['telnyx', 'Telnyx'],
  ['vonage', 'Vonage'],
  ['plivo', 'Plivo'],
] as const;

function PhoneForm(props: { phone: PhoneConfiguration | null; onSaved: () => void; onCancel: () => void }) {
  const [phoneNumber, setPhoneNumber] = useState(props.phone?.phoneNumber ?? '');
  const [provider, setProvider] = useState(props.phone?.provider ?? 'twilio');
  const [friendlyName, setFriendlyName] = useState(props.phone?.friendlyName ?? '');
  const [connectionId, setConnectionId] = useState('');
  const submit = useSubmit();

  async function onSubmit(event: Event) {
    event.preventDefault();
    const saved = await submit.run(() =>
      props.phone
        ? api.patch(`phone-configurations/${props.phone.id}`, { friendlyName: friendlyName.trim() || null })
        : api.post('phone-configurations', { phoneNumber, provider, ...(friendlyName.trim() && { friendlyName: friendlyName.trim() }), ...(connectionId.trim() && { connectionId: connectionId.trim() }) }),
    );
    if (saved !== undefined) props.onSaved();
  }

  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError state={submit} shown={['phoneNumber', 'provider', 'friendlyName', 'connectionId']} />
      {props.phone ? (
        <p>
          Number <strong class="mono">{props.phone.phoneNumber}</strong> ({props.phone.provider}); only its name can change.
        </p>
      ) : (
        <>
          <TextField label="Phone number" name="phoneNumber" value={phoneNumber} onValue={setPhoneNumber} error={submit.fields.phoneNumber} hint="E.164, e.g. +12025551234" placeholder="+12025551234" />
          <SelectField label="Provider" name="provider" value={provider} options={PROVIDERS} onValue={setProvider} error={submit.fields.provider} />
          <TextField label="Twilio connection id (optional)" name="connectionId" value={connectionId} onValue={setConnectionId} error={submit.fields.connectionId} hint="conn_…: the connection whose webhooks carry this number." />
        </>
      )}
      <TextField label="Name (optional)" name="friendlyName" value={friendlyName} onValue={setFriendlyName} error={submit.fields.friendlyName} />
      <div class="actions">
        <button type="submit" disabled={submit.busy}>
          {props.phone ? 'Save' : 'Add number'}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function PhoneConfigurations() {
  const list = usePagedList<PhoneConfiguration>((page, pageSize, signal) => api.get<Page<PhoneConfiguration>>('phone-configurations', { query: { page, pageSize }, signal }));
  const [editing, setEditing] = useState<PhoneConfiguration | 'new' | null>(null);
  const [deleting, setDeleting] = useState<{ phone: PhoneConfiguration; busy: boolean; error: string | null } | null>(null);

  async function confirmDelete() {
    if (!deleting) return;
    setDeleting({ ...deleting, busy: true, error: null });
    try {
      await api.delete(`phone-configurations/${deleting.phone.id}`);
      toast(`Number ${deleting.phone.phoneNumber} deleted`);
      setDeleting(null);
      list.reload();
    } catch (error) {
      setDeleting({ ...deleting, busy: false, error: errorMessage(error) });
    }
  }

  return (
    <section aria-labelledby="phones-title">
      <div class="page-head">
        <h2 id="phones-title">Phone configurations</h2>
        <button type="button" class="secondary" onClick={() => setEditing('new')}>
          Add a number
        </button>
      </div>
      <ListView
        list={list}
        caption="Phone configurations"
        rowKey={(phone) => phone.id}
        empty={{ title: 'No phone numbers yet', body: 'Register a number before creating a calls or sms channel on it.' }}
        columns={[
          { label: 'Number', render: (phone) => <span class="mono">{phone.phoneNumber}</span> },
          { label: 'Name', render: (phone) => phone.friendlyName ?? <span class="muted">—</span> },
          { label: 'Provider', render: (phone) => phone.provider },
          { label: 'Status', render: (phone) => <span class="badge">{phone.status}</span> },
          { label: 'Added', render: (phone) => <Time value={phone.createdAt} /> },
          {
            label: 'Actions',
            class: 'actions-cell',
            render: (phone) => (
              <>
                <button type="button" class="secondary" onClick={() => setEditing(phone)} aria-label={`Rename ${phone.phoneNumber}`}>
                  Rename
                </button>
                <button type="button" class="secondary" onClick={() => setDeleting({ phone, busy: false, error: null })} aria-label={`Delete ${phone.phoneNumber}`}>
                  Delete
                </button>
              </>
            ),
          },
        ]}
      />
      {editing && (
        <Dialog title={editing === 'new' ? 'Add a phone number' : 'Rename phone number'} onClose={() => setEditing(null)}>
          <PhoneForm
            phone={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              toast('Phone configuration saved');
              list.reload();
            }}
          />
        </Dialog>
      )}
      {deleting && (
        <ConfirmDialog title="Delete phone number" confirmLabel="Delete" danger busy={deleting.busy} error={deleting.error} onCancel={() => setDeleting(null)} onConfirm={() => void confirmDelete()}>
          <p>
            Delete <strong class="mono">{deleting.phone.phoneNumber}</strong>? Channels using it must be deleted first.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
