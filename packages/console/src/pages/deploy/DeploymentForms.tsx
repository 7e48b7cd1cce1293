import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { CopyButton } from '../../components/CopyButton.js';
import { FormError, TextField, useSubmit } from '../../components/Form.js';
import type { IssuedWebDeployment, WebDeployment } from '../../types.js';
import { OriginsEditor } from './OriginsEditor.js';
import { checkTheme, originProblems } from './rules.js';
import { ThemeEditor } from './ThemeEditor.js';

/** A token and its snippet, shown once. */
export function IssuedToken(props: { issued: IssuedWebDeployment; onDone: () => void }) {
  return (
    <div>
      <div class="notice warn" role="alert">
        <p>
          <strong>Copy the token now: it will not be shown again.</strong> Only its prefix ({props.issued.tokenPrefix}) is kept.
        </p>
      </div>
      <h3 id="issued-token">Token</h3>
      <pre class="secret-shown" aria-labelledby="issued-token" data-testid="issued-token">
        {props.issued.token}
      </pre>
      <CopyButton text={props.issued.token} label="Copy token" />
      <h3 id="issued-snippet">Embed snippet</h3>
      <p class="hint">Paste it before &lt;/body&gt; on a page of an allowed origin.</p>
      <pre aria-labelledby="issued-snippet" data-testid="issued-snippet">
        {props.issued.embedSnippet}
      </pre>
      <div class="actions">
        <CopyButton text={props.issued.embedSnippet} label="Copy snippet" />
        <button type="button" onClick={props.onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

export function NewDeploymentForm(props: { agentId: string; onIssued: (issued: IssuedWebDeployment) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [origins, setOrigins] = useState<string[]>(['']);
  const [touched, setTouched] = useState(false);
  const submit = useSubmit();

  async function onSubmit(event: Event) {
    event.preventDefault();
    setTouched(true);
    if (originProblems(origins).some(Boolean)) return;
    const issued = await submit.run(() => api.post<IssuedWebDeployment>(`agents/${props.agentId}/deployments`, { ...(name.trim() && { name: name.trim() }), allowedOrigins: origins }));
    if (issued) props.onIssued(issued);
  }

  const shown = ['name', 'allowedOrigins', ...origins.map((_, index) => `allowedOrigins.${index}`)];
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError state={submit} shown={shown} />
      <TextField label="Name (optional)" name="name" value={name} onValue={setName} error={submit.fields.name} />
      <OriginsEditor origins={origins} onChange={setOrigins} apiErrors={submit.fields} touched={touched} />
      <p class="hint">A web channel is created from the first origin.</p>
      <div class="actions">
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Creating…' : 'Create deployment'}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function EditDeploymentForm(props: { deployment: WebDeployment; onSaved: () => void; onCancel: () => void }) {
  const [origins, setOrigins] = useState<string[]>(props.deployment.allowedOrigins);
  const [themeText, setThemeText] = useState(JSON.stringify(props.deployment.theme ?? {}, null, 2));
  const submit = useSubmit();

  async function onSubmit(event: Event) {
    event.preventDefault();
    const { theme } = checkTheme(themeText);
    if (originProblems(origins).some(Boolean) || !theme) return;
    const saved = await submit.run(() => api.patch(`agents/${props.deployment.agentId}/deployments/${props.deployment.id}`, { allowedOrigins: origins, theme }));
    if (saved !== undefined) props.onSaved();
  }

  const themeError = Object.entries(submit.fields)
    .filter(([field]) => field === 'theme' || field.startsWith('theme.'))
    .map(([field, message]) => `${field.replace(/^theme\.?/, '') || 'theme'}: ${message}`)
    .join('; ');
  const shown = ['allowedOrigins', ...origins.map((_, index) => `allowedOrigins.${index}`), ...Object.keys(submit.fields).filter((field) => field.startsWith('theme'))];
  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError state={submit} shown={shown} />
      <OriginsEditor origins={origins} onChange={setOrigins} apiErrors={submit.fields} touched />
      <ThemeEditor agentId={props.deployment.agentId} text={themeText} onText={setThemeText} apiError={themeError || undefined} />
      <div class="actions">
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : 'Save origins and theme'}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
