import { useState } from 'preact/hooks';
import { api, errorMessage, type Page } from '../../api.js';
import { ConfirmDialog, Dialog } from '../../components/ConfirmDialog.js';
import { FormError, TextArea, TextField, useSubmit } from '../../components/Form.js';
import { ListView, usePagedList } from '../../components/ListView.js';
import { toast } from '../../components/Toast.js';
import { TeamDetail, type Team } from './TeamDetail.js';

export default function TeamsPage() {
  const list = usePagedList<Team>((page, pageSize, signal) => api.get<Page<Team>>('teams', { query: { page, pageSize }, signal }));
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<Team | null>(null);
  const [deleting, setDeleting] = useState<{ team: Team; busy: boolean; error: string | null } | null>(null);
  const submit = useSubmit();
  const [form, setForm] = useState({ name: '', description: '' });

  async function create(event: Event) {
    event.preventDefault();
    const team = await submit.run(() => api.post<Team>('teams', { name: form.name, description: form.description.trim() || null }));
    if (!team) return;
    setCreating(false);
    setForm({ name: '', description: '' });
    toast(`Team ${team.name} created`);
    list.reload();
    setOpen(team);
  }

  async function remove() {
    if (!deleting) return;
    setDeleting({ ...deleting, busy: true, error: null });
    try {
      await api.delete(`teams/${deleting.team.id}`);
      toast(`Team ${deleting.team.name} deleted`);
      setDeleting(null);
      list.reload();
    } catch (error) {
      setDeleting({ ...deleting, busy: false, error: errorMessage(error) });
    }
  }

  return (
    <section aria-labelledby="teams-title">
      <div class="page-head">
        <h1 id="teams-title">Teams</h1>
        <button type="button" onClick={() => setCreating(true)}>
          New team
        </button>
      </div>
      <ListView
        list={list}
        caption="Teams"
        rowKey={(team) => team.id}
        empty={{ title: 'No teams', body: 'A team takes over conversations handed to humans; observers are told about them.' }}
        columns={[
          { label: 'Name', render: (team) => team.name },
          { label: 'Members', render: (team) => team.members.length },
          { label: 'Observers', render: (team) => team.observers.length },
          {
            label: 'Actions',
            class: 'actions-cell',
            render: (team) => (
              <>
                <button type="button" class="secondary" onClick={() => setOpen(team)} aria-label={`Open ${team.name}`}>
                  Open
                </button>
                <button type="button" class="secondary" onClick={() => setDeleting({ team, busy: false, error: null })} aria-label={`Delete ${team.name}`}>
                  Delete
                </button>
              </>
            ),
          },
        ]}
      />
      {creating && (
        <Dialog title="New team" onClose={() => setCreating(false)}>
          <form onSubmit={(event) => void create(event)} noValidate>
            <FormError state={submit} shown={['name', 'description']} />
            <TextField label="Name" name="name" value={form.name} onValue={(name) => setForm({ ...form, name })} error={submit.fields.name} />
            <TextArea label="Description (optional)" name="description" value={form.description} onValue={(description) => setForm({ ...form, description })} error={submit.fields.description} />
            <div class="actions">
              <button type="submit" disabled={submit.busy}>
                Create team
              </button>
              <button type="button" class="secondary" onClick={() => setCreating(false)}>
                Cancel
              </button>
            </div>
          </form>
        </Dialog>
      )}
      {open && (
        <Dialog title={open.name} wide onClose={() => (setOpen(null), list.reload())}>
          <TeamDetail team={open} onChanged={setOpen} onClose={() => (setOpen(null), list.reload())} />
        </Dialog>
      )}
      {deleting && (
        <ConfirmDialog title="Delete team" confirmLabel="Delete team" danger busy={deleting.busy} error={deleting.error} onCancel={() => setDeleting(null)} onConfirm={() => void remove()}>
          <p>
            Delete <strong>{deleting.team.name}</strong>?
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
