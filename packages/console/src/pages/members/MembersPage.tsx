import { useState } from 'preact/hooks';
import { api, errorMessage, type Member, type Page } from '../../api.js';
import { ConfirmDialog, Dialog } from '../../components/ConfirmDialog.js';
import { CopyButton } from '../../components/CopyButton.js';
import { FormError, SelectField, TextField, useSubmit } from '../../components/Form.js';
import { ListView, usePagedList } from '../../components/ListView.js';
import { Time } from '../../components/Time.js';
import { toast } from '../../components/Toast.js';
import { useSession } from '../../session.js';

type Row = Member & { lastSignInAt: number | null };
const ROLES = [
  ['agent', 'agent: the inbox'],
  ['admin', 'admin: everything but members'],
  ['owner', 'owner: everything'],
] as const;

export default function MembersPage() {
  const { session } = useSession();
  const list = usePagedList<Row>((page, pageSize, signal) => api.get<Page<Row>>('members', { query: { page, pageSize }, signal }));
  const [inviting, setInviting] = useState(false);
  const [link, setLink] = useState<{ name: string; url: string } | null>(null);
  const [removing, setRemoving] = useState<{ member: Row; busy: boolean; error: string | null } | null>(null);
  const [rowError, setRowError] = useState<string | null>(null);
  const submit = useSubmit();
  const [form, setForm] = useState({ email: '', name: '', role: 'agent' });

  async function invite(event: Event) {
    event.preventDefault();
    const result = await submit.run(() =>
      api.post<{ member: Row; invitation: { url: string } }>('members', { email: form.email, role: form.role, ...(form.name.trim() && { name: form.name }) }),
    );
    if (!result) return;
    setInviting(false);
    setForm({ email: '', name: '', role: 'agent' });
    setLink({ name: result.member.name || result.member.email, url: result.invitation.url });
    list.reload();
  }

  async function changeRole(member: Row, role: string) {
    setRowError(null);
    try {
      await api.patch(`members/${member.id}`, { role });
      toast(`${member.name || member.email} is now ${role}`);
      list.reload();
    } catch (error) {
      setRowError(errorMessage(error));
      list.reload();
    }
  }

  async function reissue(member: Row) {
    setRowError(null);
    try {
      const invitation = await api.post<{ url: string }>(`members/${member.id}/invitation`);
      setLink({ name: member.name || member.email, url: invitation.url });
    } catch (error) {
      setRowError(errorMessage(error));
    }
  }

  async function remove() {
    if (!removing) return;
    setRemoving({ ...removing, busy: true, error: null });
    try {
      await api.delete(`members/${removing.member.id}`);
      toast(`${removing.member.name || removing.member.email} removed`);
      setRemoving(null);
      list.reload();
    } catch (error) {
      setRemoving({ ...removing, busy: false, error: errorMessage(error) });
    }
  }

  return (
    <section aria-labelledby="members-title">
      <div class="page-head">
        <h1 id="members-title">Members</h1>
        <button type="button" onClick={() => setInviting(true)}>
          Invite member
        </button>
      </div>
      {rowError && (
        <div role="alert" class="notice error">
          <p>{rowError}</p>
        </div>
      )}
      <ListView
        list={list}
        caption="Members"
        rowKey={(member) => member.id}
        empty={{ title: 'No members' }}
        columns={[
          { label: 'Name', render: (member) => member.name || <span class="muted">—</span> },
          { label: 'Email', render: (member) => member.email || <span class="muted">—</span> },
          {
            label: 'Role',
            render: (member) => (
              <select aria-label={`Role of ${member.name || member.email}`} value={member.role} disabled={member.id === session.member.id} onChange={(event) => void changeRole(member, event.currentTarget.value)}>
                {ROLES.map(([value]) => (
                  <option value={value}>{value}</option>
                ))}
              </select>
            ),
          },
          { label: 'Status', render: (member) => <span class={`badge ${member.status === 'active' ? 'ok' : ''}`}>{member.status}</span> },
          { label: 'Last sign-in', render: (member) => <Time value={member.lastSignInAt} empty="never" /> },
          {
            label: 'Actions',
            class: 'actions-cell',
            render: (member) =>
              member.id === session.member.id ? (
                <span class="muted">you</span>
              ) : (
                <>
                  {member.status === 'invited' && (
                    <button type="button" class="secondary" onClick={() => void reissue(member)} aria-label={`Re-issue invitation for ${member.name || member.email}`}>
                      Re-issue invitation
                    </button>
                  )}
                  <button type="button" class="secondary" onClick={() => setRemoving({ member, busy: false, error: null })} aria-label={`Remove ${member.name || member.email}`}>
                    Remove
                  </button>
                </>
              ),
          },
        ]}
      />
      {inviting && (
        <Dialog title="Invite a member" onClose={() => setInviting(false)}>
          <form onSubmit={(event) => void invite(event)} noValidate>
            <FormError state={submit} shown={['email', 'name', 'role']} />
            <TextField label="Email" name="email" type="email" autoComplete="off" value={form.email} onValue={(email) => setForm({ ...form, email })} error={submit.fields.email} />
            <TextField label="Name (optional)" name="name" value={form.name} onValue={(name) => setForm({ ...form, name })} error={submit.fields.name} />
            <SelectField label="Role" name="role" value={form.role} options={ROLES} onValue={(role) => setForm({ ...form, role })} error={submit.fields.role} />
            <div class="actions">
              <button type="submit" disabled={submit.busy}>
                Send invitation
              </button>
              <button type="button" class="secondary" onClick={() => setInviting(false)}>
                Cancel
              </button>
            </div>
          </form>
        </Dialog>
      )}
      {link && (
        <Dialog title="Invitation link" onClose={() => setLink(null)}>
          <p class="notice warn">
            <strong>Copy it now: it will not be shown again.</strong> Give it to {link.name}; it is valid for 7 days.
          </p>
          <pre class="secret-shown" data-testid="issued-secret">{link.url}</pre>
          <div class="actions">
            <CopyButton text={link.url} label="Copy link" />
            <button type="button" onClick={() => setLink(null)}>
              Done
            </button>
          </div>
        </Dialog>
      )}
      {removing && (
        <ConfirmDialog title="Remove member" confirmLabel="Remove member" danger busy={removing.busy} error={removing.error} onCancel={() => setRemoving(null)} onConfirm={() => void remove()}>
          <p>
            Remove <strong>{removing.member.name || removing.member.email}</strong>? Their sessions end at once.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
