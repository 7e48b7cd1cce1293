import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { api, ApiFailure, errorMessage } from '../../api.js';
import { FormError, TextField, useSubmit } from '../../components/Form.js';
import { Time } from '../../components/Time.js';

interface Invitation {
  email: string;
  name: string | null;
  role: string;
  workspaceName: string;
  expiresAt: number | string;
}

export const MIN_PASSWORD = 12;

export default function InvitePage(props: { token?: string; params?: { token?: string }; onSignedIn?: () => Promise<void> }) {
  const token = props.params?.token ?? props.token ?? '';
  const location = useLocation();
  const [invitation, setInvitation] = useState<Invitation | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const submit = useSubmit();

  useEffect(() => {
    api.get<Invitation>(`invitations/${encodeURIComponent(token)}`, { quiet401: true }).then(
      (found) => {
        setInvitation(found);
        setName(found.name ?? '');
      },
      (error) =>
        setLoadError(error instanceof ApiFailure && (error.status === 404 || error.status === 410) ? 'This invitation link is not valid any more: it was used, revoked or it expired. Ask for a new one.' : errorMessage(error)),
    );
  }, [token]);

  async function onSubmit(event: Event) {
    event.preventDefault();
    if (password.length < MIN_PASSWORD) return submit.setFields({ password: `must be at least ${MIN_PASSWORD} characters` });
    if (password !== confirm) return submit.setFields({ confirm: 'does not match the password' });
    const done = await submit.run(() => api.post(`invitations/${encodeURIComponent(token)}/accept`, { password, ...(name.trim() && { name: name.trim() }) }, { quiet401: true }));
    if (done === undefined) return;
    await props.onSignedIn?.();
    location.route('/console/', true);
  }

  if (loadError) {
    return (
      <section>
        <h1>Invitation</h1>
        <div role="alert" class="notice error">
          <p>{loadError}</p>
        </div>
        <a href="/console/sign-in">Sign in</a>
      </section>
    );
  }
  if (!invitation) return <p aria-busy="true">Loading the invitation…</p>;
  return (
    <section aria-labelledby="invite-title">
      <h1 id="invite-title">Join {invitation.workspaceName}</h1>
      <p>
        You are invited as <strong>{invitation.email}</strong> ({invitation.role}). The link expires <Time value={invitation.expiresAt} />.
      </p>
      <form onSubmit={onSubmit} noValidate>
        <FormError state={submit} shown={['name', 'password', 'confirm']} />
        <TextField label="Your name" name="name" autoComplete="name" value={name} onValue={setName} error={submit.fields.name} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD}
          value={password}
          onValue={setPassword}
          error={submit.fields.password}
          hint={`At least ${MIN_PASSWORD} characters (${password.length} so far).`}
        />
        <TextField
          label="Password again"
          name="confirm"
          type="password"
          autoComplete="new-password"
          required
          value={confirm}
          onValue={setConfirm}
          error={submit.fields.confirm}
        />
        <div class="actions">
          <button type="submit" disabled={submit.busy}>
            {submit.busy ? 'Setting up…' : 'Set password and sign in'}
          </button>
        </div>
      </form>
    </section>
  );
}
