import { useState } from 'preact/hooks';
import { api, errorMessage, type Page } from '../../api.js';
import { ConfirmDialog, Dialog } from '../../components/ConfirmDialog.js';
import { ListView, usePagedList } from '../../components/ListView.js';
import { Time } from '../../components/Time.js';
import { toast } from '../../components/Toast.js';
import { WorkflowForm, type Workflow } from './WorkflowForm.js';

export default function WorkflowsPage() {
  const list = usePagedList<Workflow>((page, pageSize, signal) => api.get<Page<Workflow>>('workflows', { query: { page, pageSize }, signal }));
  const [editing, setEditing] = useState<Workflow | 'new' | null>(null);
  const [deleting, setDeleting] = useState<{ workflow: Workflow; busy: boolean; error: string | null } | null>(null);

  async function remove() {
    if (!deleting) return;
    setDeleting({ ...deleting, busy: true, error: null });
    try {
      await api.delete(`workflows/${deleting.workflow.id}`);
      toast(`Workflow ${deleting.workflow.name} deleted`);
      setDeleting(null);
      list.reload();
    } catch (error) {
      setDeleting({ ...deleting, busy: false, error: errorMessage(error) });
    }
  }

  return (
    <section aria-labelledby="workflows-title">
      <div class="page-head">
        <h1 id="workflows-title">Workflows</h1>
        <button type="button" onClick={() => setEditing('new')}>
          New workflow
        </button>
      </div>
      <ListView
        list={list}
        caption="Workflows"
        rowKey={(workflow) => workflow.id}
        empty={{ title: 'No workflows', body: 'A workflow routes a channel’s conversations by business hours, keywords or language to an agent or a team.' }}
        columns={[
          { label: 'Name', render: (workflow) => workflow.name },
          { label: 'Rules', render: (workflow) => workflow.rules.length },
          { label: 'Updated', render: (workflow) => <Time value={workflow.updatedAt} /> },
          {
            label: 'Actions',
            class: 'actions-cell',
            render: (workflow) => (
              <>
                <button type="button" class="secondary" onClick={() => setEditing(workflow)} aria-label={`Edit ${workflow.name}`}>
                  Edit
                </button>
                <button type="button" class="secondary" onClick={() => setDeleting({ workflow, busy: false, error: null })} aria-label={`Delete ${workflow.name}`}>
                  Delete
                </button>
              </>
            ),
          },
        ]}
      />
      {editing && (
        <Dialog title={editing === 'new' ? 'New workflow' : `Edit ${editing.name}`} wide onClose={() => setEditing(null)}>
          <WorkflowForm
            workflow={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={(workflow) => {
              setEditing(null);
              toast(`Workflow ${workflow.name} saved`);
              list.reload();
            }}
          />
        </Dialog>
      )}
      {deleting && (
        <ConfirmDialog title="Delete workflow" confirmLabel="Delete workflow" danger busy={deleting.busy} error={deleting.error} onCancel={() => setDeleting(null)} onConfirm={() => void remove()}>
          <p>
            Delete <strong>{deleting.workflow.name}</strong>? Channels using it must be detached first.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
