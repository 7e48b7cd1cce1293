import { useState } from 'preact/hooks';
import { api, errorMessage, type Page } from '../../api.js';
import { ConfirmDialog, Dialog } from '../../components/ConfirmDialog.js';
import { CopyButton } from '../../components/CopyButton.js';
import { ListView, usePagedList } from '../../components/ListView.js';
import { Time } from '../../components/Time.js';
import { toast } from '../../components/Toast.js';
import type { Agent } from '../../types.js';
import { WidgetFrame } from '../../widget/WidgetFrame.js';
import { AgentForm } from './AgentForm.js';

export default function AgentsPage() {
  const list = usePagedList<Agent>((page, pageSize, signal) => api.get<Page<Agent>>('agents', { query: { page, pageSize }, signal }));
  const [editing, setEditing] = useState<Agent | 'new' | null>(null);
  const [trying, setTrying] = useState<Agent | null>(null);
  const [secret, setSecret] = useState<{ agent: Agent; value: string } | null>(null);
  const [deleting, setDeleting] = useState<{ agent: Agent; busy: boolean; error: string | null } | null>(null);

  async function confirmDelete() {
    if (!deleting) return;
    setDeleting({ ...deleting, busy: true, error: null });
    try {
      await api.delete(`agents/${deleting.agent.id}`);
      toast(`Agent ${deleting.agent.name} deleted`);
      setDeleting(null);
      list.reload();
    } catch (error) {
      setDeleting({ ...deleting, busy: false, error: errorMessage(error) });
    }
  }

  return (
    <section aria-labelledby="agents-title">
      <div class="page-head">
        <h1 id="agents-title">Agents</h1>
        <button type="button" onClick={() => setEditing('new')}>
          New agent
        </button>
      </div>
      <ListView
        list={list}
        caption="Agents"
        rowKey={(agent) => agent.id}
        empty={{
          title: 'No agents yet',
          body: 'An agent answers conversations: an echo, scripted rules, your webhook or an OpenAI-compatible model.',
          action: (
            <button type="button" onClick={() => setEditing('new')}>
              Create an agent
            </button>
          ),
        }}
        columns={[
          { label: 'Name', render: (agent) => agent.name },
          { label: 'Backend', render: (agent) => <span class="badge">{agent.backend.type}</span> },
          { label: 'Greeting', render: (agent) => agent.introductionMessage ?? <span class="muted">—</span> },
          { label: 'Updated', render: (agent) => <Time value={agent.updatedAt} /> },
          {
            label: 'Actions',
            class: 'actions-cell',
            render: (agent) => (
              <>
                <button type="button" class="secondary" onClick={() => setEditing(agent)} aria-label={`Edit ${agent.name}`}>
                  Edit
                </button>
                <a class="button secondary" href={`/console/agents/${agent.id}/deploy`} aria-label={`Deploy ${agent.name}`}>
                  Deploy
                </a>
                <button type="button" class="secondary" onClick={() => setTrying(agent)} aria-label={`Try it with ${agent.name}`}>
                  Try it
                </button>
                <button type="button" class="secondary" onClick={() => setDeleting({ agent, busy: false, error: null })} aria-label={`Delete ${agent.name}`}>
                  Delete
                </button>
              </>
            ),
          },
        ]}
      />
      {editing && (
        <Dialog title={editing === 'new' ? 'New agent' : `Edit ${editing.name}`} onClose={() => setEditing(null)}>
          <AgentForm
            agent={editing === 'new' ? null : editing}
            onCancel={() => setEditing(null)}
            onSaved={(agent, signingSecret) => {
              setEditing(null);
              toast(`Agent ${agent.name} saved`);
              if (signingSecret) setSecret({ agent, value: signingSecret });
              list.reload();
            }}
          />
        </Dialog>
      )}
      {secret && (
        <Dialog title="Webhook signing secret" onClose={() => setSecret(null)}>
          <p class="notice warn">
            <strong>Copy it now: it will not be shown again.</strong> Your endpoint checks each request of {secret.agent.name} with it.
          </p>
          <pre class="secret-shown">{secret.value}</pre>
          <div class="actions">
            <CopyButton text={secret.value} label="Copy secret" />
            <button type="button" onClick={() => setSecret(null)}>
              Done
            </button>
          </div>
        </Dialog>
      )}
      {trying && (
        <Dialog title={`Try ${trying.name}`} wide onClose={() => setTrying(null)}>
          <p class="hint">The real widget, on a deployment named “Console try-it” allowed on this console's origin.</p>
          <WidgetFrame agentId={trying.id} title={`Chat with ${trying.name}`} />
          <div class="actions">
            <button type="button" class="secondary" onClick={() => setTrying(null)}>
              Close
            </button>
          </div>
        </Dialog>
      )}
      {deleting && (
        <ConfirmDialog title="Delete agent" confirmLabel="Delete agent" danger busy={deleting.busy} error={deleting.error} onCancel={() => setDeleting(null)} onConfirm={() => void confirmDelete()}>
          <p>
            Delete <strong>{deleting.agent.name}</strong>? Deployments using it must be removed first (<a href={`/console/agents/${deleting.agent.id}/deploy`}>its deploy page</a>).
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
