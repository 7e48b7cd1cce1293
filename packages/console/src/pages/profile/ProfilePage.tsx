import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { FormError, TextField, useSubmit } from '../../components/Form.js';
import { toast } from '../../components/Toast.js';
import { useSession } from '../../session.js';
import { MIN_PASSWORD } from '../invite/InvitePage.js';

export default function ProfilePage() {
  const { session, reload } = useSession();
  const [name, setName] = useState(session.member.name);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const nameForm = useSubmit();
  const passwordForm = useSubmit();

  async function saveName(event: Event) {
    event.preventDefault();
    const done = await nameForm.run(() => api.patch('me', { name }));
    if (done === undefined) return;
    toast('Name saved');
    await reload();
  }

  async function changePassword(event: Event) {
    event.preventDefault();
    if (next.length < MIN_PASSWORD) return passwordForm.setFields({ newPassword: `must be at least ${MIN_PASSWORD} characters` });
    const done = await passwordForm.run(() => api.post('me/password', { currentPassword: current, newPassword: next }));
    if (done === undefined) return;
    setCurrent('');
    setNext('');
    toast('Password changed');
    await reload();
  }

  return (
    <section aria-labelledby="profile-title">
      <h1 id="profile-title">Profile</h1>
      <p>
        {session.member.email} · {session.member.role} in {session.workspace.name}
      </p>
      <div class="split">
        <form class="card" onSubmit={saveName} noValidate>
          <h2>Name</h2>
          <FormError state={nameForm} shown={['name']} />
          <TextField label="Name" name="name" autoComplete="name" value={name} onValue={setName} error={nameForm.fields.name} />
          <button type="submit" disabled={nameForm.busy}>
            Save name
          </button>
        </form>
        <form class="card" onSubmit={changePassword} noValidate>
          <h2>Password</h2>
          <FormError state={passwordForm} shown={['currentPassword', 'newPassword']} />
          <TextField
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            value={current}
            onValue={setCurrent}
            error={passwordForm.fields.currentPassword}
          />
          <TextField
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            value={next}
            onValue={setNext}
            error={passwordForm.fields.newPassword}
            hint={`At least ${MIN_PASSWORD} characters. Other signed-in browsers are signed out.`}
          />
          <button type="submit" disabled={passwordForm.busy}>
            Change password
          </button>
        </form>
      </div>
    </section>
  );
}
