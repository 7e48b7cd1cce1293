import { useState } from 'preact/hooks';
import { api, ApiFailure } from '../../api.js';
import { Checkbox, FormError, TextField, useSubmit } from '../../components/Form.js';
import type { ProviderSpec } from './providers.js';

export interface ConnectionView {
  id: string;
  provider: string;
  name: string;
  settings: Record<string, unknown>;
  credentials: Record<string, { secretId: string; mask: string }>;
  apiBaseUrl: string;
  inboundUrl: string;
  inboundSecret: string;
  setup: string;
  createdAt: number;
}

const secretName = (connection: string, credential: string) =>
  `${connection.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 60) || 'connection'}.${credential}.${Date.now().toString(36)}`;

/**
 * Creates a connection: each credential typed in becomes a write-only workspace secret first
 * (removed again when the connection is refused), then the connection names those secrets.
 */
export function ConnectionForm(props: { provider: ProviderSpec; onCancel: () => void; onSaved: (connection: ConnectionView) => void }) {
  const { provider } = props;
  const submit = useSubmit();
  const [name, setName] = useState(provider.label.replace(/ \(.*/, ''));
  const [settings, setSettings] = useState<Record<string, string | boolean>>({});
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [apiBaseUrl, setApiBaseUrl] = useState('');

  function settingsBody(): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    for (const spec of provider.settings) {
      const value = settings[spec.name];
      if (spec.kind === 'boolean') {
        if (value) body[spec.name] = true;
      } else if (typeof value === 'string' && value.trim() !== '') {
        body[spec.name] = spec.kind === 'number' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value.trim();
      }
    }
    return body;
  }

  async function save(event: Event) {
    event.preventDefault();
    const missing: Record<string, string> = {};
    for (const spec of provider.credentials) if (spec.required && !credentials[spec.name]) missing[`credentials.${spec.name}`] = 'Required';
    const created: string[] = [];
    const result = await submit.run(async () => {
      const ids: Record<string, string> = {};
      try {
        if (Object.keys(missing).length > 0) throw new ApiFailure(400, 'VALIDATION_ERROR', 'Some fields need attention', missing);
        {
          for (const spec of provider.credentials) {
            const value = credentials[spec.name];
            if (!value) continue;
            try {
              const secret = await api.post<{ id: string }>('secrets', { name: secretName(name, spec.name), value });
              created.push(secret.id);
              ids[spec.name] = secret.id;
            } catch (error) {
              if (error instanceof ApiFailure) throw new ApiFailure(error.status, error.code, error.message, { [`credentials.${spec.name}`]: error.fields.value ?? error.message });
              throw error;
            }
          }
        }
        const body = { provider: provider.id, name, settings: settingsBody(), credentials: ids, ...(apiBaseUrl.trim() && { apiBaseUrl: apiBaseUrl.trim() }) };
        return await api.post<ConnectionView>('connections', body);
      } catch (error) {
        await Promise.all(created.map((id) => api.delete(`secrets/${id}`).catch(() => undefined)));
        throw error;
      }
    });
    if (result) props.onSaved(result);
  }

  const shown = ['name', 'apiBaseUrl', ...provider.settings.map((spec) => `settings.${spec.name}`), ...provider.credentials.map((spec) => `credentials.${spec.name}`)];
  return (
    <form onSubmit={(event) => void save(event)} noValidate>
      <FormError state={submit} shown={shown} />
      <ol class="hint">
        {provider.steps.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
      <TextField label="Name" name="name" value={name} onValue={setName} error={submit.fields.name} required />
      {provider.settings.map((spec) =>
        spec.kind === 'boolean' ? (
          <Checkbox key={spec.name} label={spec.label} name={`settings.${spec.name}`} checked={settings[spec.name] === true} onValue={(value) => setSettings({ ...settings, [spec.name]: value })} />
        ) : (
          <TextField
            key={spec.name}
            label={`${spec.label}${spec.required ? '' : ' (optional)'}`}
            name={`settings.${spec.name}`}
            type={spec.kind === 'url' ? 'url' : 'text'}
            inputMode={spec.kind === 'number' ? 'numeric' : undefined}
            value={String(settings[spec.name] ?? '')}
            onValue={(value) => setSettings({ ...settings, [spec.name]: value })}
            error={submit.fields[`settings.${spec.name}`]}
            hint={spec.hint}
          />
        ),
      )}
      {provider.credentials.map((spec) => (
        <TextField
          key={spec.name}
          label={`${spec.name}${spec.required ? '' : ' (optional)'}`}
          name={`credentials.${spec.name}`}
          type="password"
          autoComplete="off"
          value={credentials[spec.name] ?? ''}
          onValue={(value) => setCredentials({ ...credentials, [spec.name]: value })}
          error={submit.fields[`credentials.${spec.name}`]}
          hint={`${spec.hint} Stored as a write-only workspace secret.`}
        />
      ))}
      <TextField
        label="API base URL (optional)"
        name="apiBaseUrl"
        type="url"
        value={apiBaseUrl}
        onValue={setApiBaseUrl}
        error={submit.fields.apiBaseUrl}
        hint="A regional endpoint or a proxy; leave empty for the provider's own."
      />
      <div class="actions">
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : 'Create connection'}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
