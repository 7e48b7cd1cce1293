import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { api } from '../../api.js';
import { FormError, TextField, useSubmit } from '../../components/Form.js';

/** Only console paths are followed after signing in, never another site. */
export function safeNext(next: string | undefined): string {
  return next && /^\/console(\/|$)/.test(next) && !next.startsWith('//') && !/^\/console\/sign-in/.test(next) ? next : '/console/';
}

export default function SignInPage(props: { onSignedIn?: () => Promise<void> }) {
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const submit = useSubmit();

  async function onSubmit(event: Event) {
    event.preventDefault();
    const done = await submit.run(() => api.post('sessions', { email, password }, { quiet401: true }));
    if (done === undefined) return;
    await props.onSignedIn?.();
    location.route(safeNext(location.query.next), true);
  }

  return (
    <section aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to Switchboard</h1>
      <form onSubmit={onSubmit} noValidate>
        <FormError state={submit} shown={['email', 'password']} />
        <TextField label="Email" name="email" type="email" autoComplete="username" required value={email} onValue={setEmail} error={submit.fields.email} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValue={setPassword}
          error={submit.fields.password}
        />
        <div class="actions">
          <button type="submit" disabled={submit.busy}>
            {submit.busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
      <p class="hint">No account? An owner or admin of your workspace can invite you.</p>
    </section>
  );
}
