import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage, type Member, type Page } from '../../api.js';
import { FormError, SelectField, TextField, useSubmit } from '../../components/Form.js';

interface Person {
  id: string;
  name: string;
  email: string;
  role?: string;
}
export interface Team {
  id: string;
  name: string;
  description: string | null;
  members: Person[];
  observers: Person[];
}
interface ChannelRow {
  id: string;
  deploymentType: string;
  channelName: string | null;
  channelIdentifier: string;
  assigned: boolean;
}

/** A team's members (a workspace member, or a name and email), observers and assignable channels. */
export function TeamDetail(props: { team: Team; onChanged: (team: Team) => void; onClose: () => void }) {
  const { team } = props;
  const addMember = useSubmit();
  const addObserver = useSubmit();
  const [workspaceMembers, setWorkspaceMembers] = useState<Member[] | null>(null);
  const [member, setMember] = useState({ memberId: '', name: '', email: '', role: 'agent' });
  const [observer, setObserver] = useState({ name: '', email: '' });
  const [channels, setChannels] = useState<ChannelRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = async () => props.onChanged(await api.get<Team>(`teams/${team.id}`));

  useEffect(() => {
    api.get<Page<Member>>('members', { query: { page: 1, pageSize: 100 } }).then((page) => setWorkspaceMembers(page.data), () => setWorkspaceMembers([]));
    void (async () => {
      try {
        const page = await api.get<Page<Omit<ChannelRow, 'assigned'>>>('deployment-channels', { query: { page: 1, pageSize: 50 } });
        const rows = await Promise.all(
          page.data.map(async (channel) => {
            const teams = await api.get<Page<{ id: string }>>(`deployment-channels/${channel.id}/teams`, { query: { page: 1, pageSize: 100 } });
            return { ...channel, assigned: teams.data.some((entry) => entry.id === team.id) };
          }),
        );
        setChannels(rows);
      } catch (failure) {
        setError(errorMessage(failure));
        setChannels([]);
      }
    })();
  }, [team.id]);

  async function add(event: Event) {
    event.preventDefault();
    const body = member.memberId ? { memberId: member.memberId, role: member.role } : { name: member.name, email: member.email, role: member.role };
    if (await addMember.run(() => api.post(`teams/${team.id}/members`, body))) {
      setMember({ memberId: '', name: '', email: '', role: 'agent' });
      await refresh();
    }
  }
  async function watch(event: Event) {
    event.preventDefault();
    if (await addObserver.run(() => api.post(`teams/${team.id}/observers`, observer))) {
      setObserver({ name: '', email: '' });
      await refresh();
    }
  }
  async function drop(path: string) {
    setError(null);
    try {
      await api.delete(`teams/${team.id}/${path}`);
      await refresh();
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }
  async function toggle(channel: ChannelRow, on: boolean) {
    setError(null);
    try {
      const current = await api.get<Page<{ id: string }>>(`deployment-channels/${channel.id}/teams`, { query: { page: 1, pageSize: 100 } });
      const ids = current.data.map((entry) => entry.id).filter((id) => id !== team.id);
      await api.put(`deployment-channels/${channel.id}/teams`, { teamIds: on ? [...ids, team.id] : ids });
      setChannels((rows) => rows && rows.map((row) => (row.id === channel.id ? { ...row, assigned: on } : row)));
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }

  const people = (title: string, rows: Person[], kind: 'members' | 'observers') => (
    <>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <ul class="plain">
          {rows.map((person) => (
            <li key={person.id}>
              {person.name} &lt;{person.email}&gt; {person.role && <span class="badge">{person.role}</span>}{' '}
              <button type="button" class="secondary" onClick={() => void drop(`${kind}/${person.id}`)} aria-label={`Remove ${person.name} from ${title.toLowerCase()}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );

  return (
    <div>
      {error && (
        <div role="alert" class="notice error">
          <p>{error}</p>
        </div>
      )}
      {people('Members', team.members, 'members')}
      <form onSubmit={(event) => void add(event)} noValidate aria-label="Add a member">
        <FormError state={addMember} shown={['memberId', 'name', 'email', 'role']} />
        <SelectField
          label="Workspace member"
          name="memberId"
          value={member.memberId}
          options={[['', 'Someone else (name and email below)'], ...(workspaceMembers ?? []).map((m) => [m.id, `${m.name || m.email} (${m.email || m.role})`] as const)]}
          onValue={(memberId) => setMember({ ...member, memberId })}
          error={addMember.fields.memberId}
        />
        {!member.memberId && (
          <>
            <TextField label="Name" name="name" value={member.name} onValue={(name) => setMember({ ...member, name })} error={addMember.fields.name} />
            <TextField label="Email" name="email" type="email" value={member.email} onValue={(email) => setMember({ ...member, email })} error={addMember.fields.email} />
          </>
        )}
        <SelectField label="Team role" name="role" value={member.role} options={[['agent', 'agent'], ['supervisor', 'supervisor'], ['admin', 'admin']]} onValue={(role) => setMember({ ...member, role })} error={addMember.fields.role} />
        <button type="submit" disabled={addMember.busy}>
          Add member
        </button>
      </form>
      {people('Observers', team.observers, 'observers')}
      <form onSubmit={(event) => void watch(event)} noValidate aria-label="Add an observer">
        <FormError state={addObserver} shown={['name', 'email']} />
        <TextField label="Observer name" name="name" value={observer.name} onValue={(name) => setObserver({ ...observer, name })} error={addObserver.fields.name} />
        <TextField label="Observer email" name="email" type="email" value={observer.email} onValue={(email) => setObserver({ ...observer, email })} error={addObserver.fields.email} />
        <button type="submit" disabled={addObserver.busy}>
          Add observer
        </button>
      </form>
      <h3>Channels</h3>
      {channels === null ? (
        <p aria-busy="true">Loading channels…</p>
      ) : channels.length === 0 ? (
        <p class="muted">No channels yet.</p>
      ) : (
        <ul class="plain">
          {channels.map((channel) => (
            <li key={channel.id}>
              <label>
                <input type="checkbox" checked={channel.assigned} onChange={(event) => void toggle(channel, event.currentTarget.checked)} /> {channel.channelName ?? channel.channelIdentifier}{' '}
                <span class="badge">{channel.deploymentType}</span>
              </label>
            </li>
          ))}
        </ul>
      )}
      <div class="actions">
        <button type="button" class="secondary" onClick={props.onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
