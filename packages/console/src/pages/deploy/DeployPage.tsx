import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage, type Page } from '../../api.js';
import { ConfirmDialog, Dialog } from '../../components/ConfirmDialog.js';
import { CopyButton } from '../../components/CopyButton.js';
import { ListView, usePagedList } from '../../components/ListView.js';
import { Time } from '../../components/Time.js';
import { toast } from '../../components/Toast.js';
import type { Agent, IssuedWebDeployment, WebDeployment } from '../../types.js';
import { TRY_IT_NAME } from '../../widget/try-it.js';
import { EditDeploymentForm, IssuedToken, NewDeploymentForm } from './DeploymentForms.js';

type Action = { kind: 'revoke' | 'rotate'; deployment: WebDeployment; busy: boolean; error: string | null };

export default function DeployPage(props: { id?: string; params?: { id?: string } }) {
  const agentId = props.params?.id ?? props.id ?? '';
  const [agent, setAgent] = useState<Agent | null>(null);
  const [agentError, setAgentError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [issued, setIssued] = useState<IssuedWebDeployment | null>(null);
  const [editing, setEditing] = useState<WebDeployment | null>(null);
  const [snippet, setSnippet] = useState<{ deployment: WebDeployment; text: string | null; error: string | null } | null>(null);
  const [action, setAction] = useState<Action | null>(null);
  const list = usePagedList<WebDeployment>((page, pageSize, signal) => api.get<Page<WebDeployment>>(`agents/${agentId}/deployments`, { query: { page, pageSize }, signal }), agentId);

  useEffect(() => {
    api.get<Agent>(`agents/${agentId}`).then(setAgent, (error) => setAgentError(errorMessage(error)));
  }, [agentId]);

  async function showSnippet(deployment: WebDeployment) {
    setSnippet({ deployment, text: null, error: null });
    try {
      const answer = await api.get<{ snippet: string }>(`agents/${agentId}/deployments/${deployment.id}/embed-snippet`);
      setSnippet({ deployment, text: answer.snippet, error: null });
    } catch (error) {
      setSnippet({ deployment, text: null, error: errorMessage(error) });
    }
  }

  async function confirmAction() {
    if (!action) return;
    setAction({ ...action, busy: true, error: null });
    try {
      const result = await api.post<IssuedWebDeployment>(`agents/${agentId}/deployments/${action.deployment.id}/${action.kind}`);
      setAction(null);
      if (action.kind === 'rotate') setIssued(result);
      else toast('Deployment revoked: its token stopped working');
      list.reload();
    } catch (error) {
      setAction({ ...action, busy: false, error: errorMessage(error) });
    }
  }

  const title = agent ? `Deploy ${agent.name}` : 'Deploy';
  return (
    <section aria-labelledby="deploy-title">
      <p>
        <a href="/console/agents">← Agents</a>
      </p>
      <div class="page-head">
        <h1 id="deploy-title">{title}</h1>
        <button type="button" onClick={() => setCreating(true)}>
          New deployment
        </button>
      </div>
      {agentError && (
        <div role="alert" class="notice error">
          <p>{agentError}</p>
        </div>
      )}
      <p class="hint">Web deployments put this agent on websites through the chat widget. Each has its own token and allowed origins.</p>
      <ListView
        list={list}
        caption="Web deployments"
        rowKey={(deployment) => deployment.id}
        empty={{
          title: 'Not deployed on the web yet',
          body: 'Create a deployment to get a token and the snippet to paste on your site.',
          action: (
            <button type="button" onClick={() => setCreating(true)}>
              Create a deployment
            </button>
          ),
        }}
        columns={[
          { label: 'Name', render: (d) => (d.name === TRY_IT_NAME ? `${d.name} (this console)` : d.name ?? <span class="muted">—</span>) },
          { label: 'Token', render: (d) => <span class="mono">{d.tokenPrefix}…</span> },
          { label: 'Allowed origins', render: (d) => d.allowedOrigins.map((origin) => <div class="mono">{origin}</div>) },
          { label: 'Last used', render: (d) => <Time value={d.lastUsedAt} empty="never" /> },
          { label: 'Status', render: (d) => (d.revokedAt ? <span class="badge bad">revoked</span> : <span class="badge ok">active</span>) },
          {
            label: 'Actions',
            class: 'actions-cell',
            render: (d) =>
              d.revokedAt ? (
                <span class="muted">
                  Revoked <Time value={d.revokedAt} />
                </span>
              ) : (
                <>
                  <button type="button" class="secondary" onClick={() => setEditing(d)} aria-label={`Origins and theme of ${d.tokenPrefix}`}>
                    Origins and theme
                  </button>
                  <button type="button" class="secondary" onClick={() => void showSnippet(d)} aria-label={`Snippet of ${d.tokenPrefix}`}>
                    Snippet
                  </button>
                  <button type="button" class="secondary" onClick={() => setAction({ kind: 'rotate', deployment: d, busy: false, error: null })} aria-label={`Rotate the token ${d.tokenPrefix}`}>
                    Rotate
                  </button>
                  <button type="button" class="secondary" onClick={() => setAction({ kind: 'revoke', deployment: d, busy: false, error: null })} aria-label={`Revoke ${d.tokenPrefix}`}>
                    Revoke
                  </button>
                </>
              ),
          },
        ]}
      />
      {creating && (
        <Dialog title="New web deployment" onClose={() => setCreating(false)}>
          <NewDeploymentForm
            agentId={agentId}
            onCancel={() => setCreating(false)}
            onIssued={(result) => {
              setCreating(false);
              setIssued(result);
              list.reload();
            }}
          />
        </Dialog>
      )}
      {issued && (
        <Dialog title="Deployment token" onClose={() => setIssued(null)}>
          <IssuedToken issued={issued} onDone={() => setIssued(null)} />
        </Dialog>
      )}
      {editing && (
        <Dialog title="Origins and theme" wide onClose={() => setEditing(null)}>
            <EditDeploymentForm
              deployment={editing}
              onCancel={() => setEditing(null)}
              onSaved={() => {
                setEditing(null);
                toast('Deployment saved; widgets pick up the theme on their next page load');
                list.reload();
              }}
            />
        </Dialog>
      )}
      {snippet && (
        <Dialog title="Embed snippet" onClose={() => setSnippet(null)}>
          {snippet.error && (
            <div role="alert" class="notice error">
              <p>{snippet.error}</p>
            </div>
          )}
          {snippet.text === null && !snippet.error && <p aria-busy="true">Loading…</p>}
          {snippet.text !== null && (
            <>
              <p class="hint">The token itself is not stored, so this snippet names it by its prefix: put in the token shown when it was issued, or rotate to get a new one.</p>
              <pre>{snippet.text}</pre>
              <CopyButton text={snippet.text} label="Copy snippet" />
            </>
          )}
          <div class="actions">
            <button type="button" class="secondary" onClick={() => setSnippet(null)}>
              Close
            </button>
          </div>
        </Dialog>
      )}
      {action && (
        <ConfirmDialog
          title={action.kind === 'revoke' ? 'Revoke deployment' : 'Rotate token'}
          confirmLabel={action.kind === 'revoke' ? 'Revoke' : 'Rotate token'}
          danger={action.kind === 'revoke'}
          busy={action.busy}
          error={action.error}
          onCancel={() => setAction(null)}
          onConfirm={() => void confirmAction()}
        >
          <p>
            {action.kind === 'revoke'
              ? `Revoke ${action.deployment.tokenPrefix}…? Its token stops working at once and open chats on ${action.deployment.allowedOrigins.join(', ')} end.`
              : `Issue a new token for ${action.deployment.tokenPrefix}…? The current token stops working at once; sites must be updated with the new snippet.`}
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
