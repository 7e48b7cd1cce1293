import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { api, type Page } from '../../api.js';
import { Dialog } from '../../components/ConfirmDialog.js';
import { ListView, usePagedList } from '../../components/ListView.js';
import { Time } from '../../components/Time.js';
import { useSession } from '../../session.js';
import { ConversationPane, type PaneHandle } from './ConversationPane.js';
import { STATES, stateLabel, useLiveEvents, type InboxConversation, type InboxMessage, type LiveEvent } from './inbox-api.js';

const SHORTCUTS: [string, string][] = [
  ['j / k', 'Next / previous conversation'],
  ['Enter or o', 'Open the highlighted conversation'],
  ['r', 'Focus the reply box'],
  ['t', 'Take over'],
  ['e', 'Resolve'],
  ['?', 'Show these shortcuts'],
];

function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName));
}

interface TeamWithPeople {
  id: string;
  name: string;
  members: Array<{ id: string; name: string; memberId: string | null }>;
}

export default function InboxPage(props: { conversationId?: string }) {
  const { session } = useSession();
  const me = { id: session.member.id, name: session.member.name };
  const { route } = useLocation();
  const [channelId, setChannelId] = useState('');
  const [state, setState] = useState('pending_human,human');
  const [teamId, setTeamId] = useState('');
  const [mine, setMine] = useState(false);
  const [channels, setChannels] = useState<{ id: string; name: string }[]>([]);
  const [teams, setTeams] = useState<{ id: string; name: string }[]>([]);
  const [names, setNames] = useState<Record<string, string>>({});
  const [people, setPeople] = useState<Record<string, string>>({ [me.id]: me.name });
  const [cursor, setCursor] = useState(0);
  const [help, setHelp] = useState(false);
  const [announce, setAnnounce] = useState('');
  const [live, setLive] = useState<InboxConversation | null>(null);
  const [liveMessages, setLiveMessages] = useState<InboxMessage[]>([]);
  const pane = useRef<PaneHandle | null>(null);
  const filterKey = [channelId, state, teamId, mine].join('|');

  const list = usePagedList<InboxConversation>(
    (page, pageSize, signal) =>
      api.get<Page<InboxConversation>>('conversations', {
        query: { page, pageSize, order: 'recent', state, channelId, teamId, assignedMemberId: mine ? me.id : undefined },
        signal,
      }),
    filterKey,
  );
  const rows = list.data?.data ?? [];

  useEffect(() => {
    const all = { query: { pageSize: 100 } };
    api.get<Page<{ id: string; name: string }>>('deployment-channels', all).then((page) => setChannels(page.data), () => undefined);
    // Teams name their people for every role: team member ids, and the workspace members they sign in as.
    api.get<Page<TeamWithPeople>>('teams', all).then((page) => {
      setTeams(page.data);
      const linked = page.data.flatMap((team) => team.members.filter((person) => person.memberId).map((person) => [person.memberId!, person.name] as const));
      setNames((known) => ({ ...known, ...Object.fromEntries(page.data.flatMap((team) => team.members.map((person) => [person.id, person.name] as const))), ...Object.fromEntries(linked) }));
      setPeople((known) => ({ ...known, ...Object.fromEntries(linked) }));
    }, () => undefined);
    // Only owners may list the workspace's members; they can assign to any of them.
    if (session.member.role === 'owner') {
      api.get<Page<{ id: string; name: string }>>('members', all).then((page) => {
        const everyone = Object.fromEntries(page.data.map((member) => [member.id, member.name]));
        setNames((known) => ({ ...known, ...everyone }));
        setPeople((known) => ({ ...known, ...everyone }));
      }, () => undefined);
    }
  }, []);

  const reloadSoon = useRef<number | undefined>(undefined);
  function reloadList() {
    window.clearTimeout(reloadSoon.current);
    reloadSoon.current = window.setTimeout(list.reload, 150);
  }

  useLiveEvents((event: LiveEvent) => {
    if (event.type === 'reset') return reloadList();
    const conversation = event.data.conversation;
    if (conversation) setLive(conversation);
    const message = event.data.message;
    if (event.type === 'message.created' && message) {
      setLiveMessages((current) => [...current.slice(-50), message]);
      if (message.conversationId === props.conversationId && message.authorId !== me.id) {
        setAnnounce(`New message from ${message.role === 'contact' ? 'the contact' : message.role === 'agent' ? 'the agent' : (names[message.authorId ?? ''] ?? 'a person')}: ${message.text ?? ''}`);
      }
      if (message.conversationId === props.conversationId && message.role === 'contact') api.post(`conversations/${message.conversationId}/read`).catch(() => undefined);
    }
    if (event.type === 'handoff.requested') setAnnounce('A conversation is waiting for a person.');
    reloadList();
  });

  useEffect(() => {
    const index = rows.findIndex((row) => row.id === props.conversationId);
    if (index >= 0) setCursor(index);
  }, [props.conversationId, list.data]);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (help || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      const key = event.key;
      if (key === 'j' || key === 'k') {
        const next = Math.max(0, Math.min(rows.length - 1, cursor + (key === 'j' ? 1 : -1)));
        setCursor(next);
        document.getElementById(`conversation-${rows[next]?.id}`)?.focus();
      } else if ((key === 'o' || (key === 'Enter' && !(event.target instanceof HTMLButtonElement) && !(event.target instanceof HTMLAnchorElement))) && rows[cursor]) {
        // Enter on a focused link or button keeps its own meaning.
        route(`/console/inbox/${rows[cursor]!.id}`);
      } else if (key === 'r') pane.current?.focusReply();
      else if (key === 't') pane.current?.takeOver();
      else if (key === 'e') pane.current?.resolve();
      else if (key === '?') setHelp(true);
      else return;
      event.preventDefault();
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [rows, cursor, help]);

  return (
    <section aria-labelledby="inbox-title">
      <div class="page-head">
        <h1 id="inbox-title">Inbox</h1>
        <button type="button" class="secondary" onClick={() => setHelp(true)} aria-keyshortcuts="?">
          Keyboard shortcuts
        </button>
      </div>
      <div class="visually-hidden" aria-live="polite" role="status">
        {announce}
      </div>
      <div class="split">
        <div>
          <div class="toolbar" role="search" aria-label="Filter conversations">
            <div class="field">
              <label for="inbox-state">State</label>
              <select id="inbox-state" value={state} onChange={(event) => setState(event.currentTarget.value)}>
                <option value="pending_human,human">Needs a person</option>
                {STATES.map((entry) => (
                  <option value={entry.value}>{entry.label}</option>
                ))}
                <option value="">All</option>
              </select>
            </div>
            <div class="field">
              <label for="inbox-channel">Channel</label>
              <select id="inbox-channel" value={channelId} onChange={(event) => setChannelId(event.currentTarget.value)}>
                <option value="">All channels</option>
                {channels.map((channel) => (
                  <option value={channel.id}>{channel.name}</option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="inbox-team">Team</label>
              <select id="inbox-team" value={teamId} onChange={(event) => setTeamId(event.currentTarget.value)}>
                <option value="">All teams</option>
                {teams.map((team) => (
                  <option value={team.id}>{team.name}</option>
                ))}
              </select>
            </div>
            <div class="field checkbox">
              <input id="inbox-mine" type="checkbox" checked={mine} onChange={(event) => setMine(event.currentTarget.checked)} />
              <label for="inbox-mine">Mine</label>
            </div>
          </div>
          <ListView
            list={list}
            caption="Conversations"
            rowKey={(row) => row.id}
            empty={{ title: 'No conversations here', body: 'New conversations appear as they arrive.' }}
            columns={[
              {
                label: 'Conversation',
                render: (row) => {
                  const index = rows.indexOf(row);
                  return (
                    <a
                      id={`conversation-${row.id}`}
                      href={`/console/inbox/${row.id}`}
                      aria-current={row.id === props.conversationId ? 'page' : undefined}
                      onFocus={() => setCursor(index)}
                    >
                      {index === cursor ? '› ' : ''}
                      {row.lastMessagePreview || 'No messages yet'}
                    </a>
                  );
                },
              },
              { label: 'State', render: (row) => stateLabel(row.handoffState) },
              {
                label: 'Unread',
                render: (row) =>
                  row.unreadCount ? (
                    <span class="badge bad" aria-label={`${row.unreadCount} unread`}>
                      {row.unreadCount}
                    </span>
                  ) : (
                    <span class="muted">0</span>
                  ),
              },
              { label: 'Last message', render: (row) => <Time value={row.lastMessageAt} empty="—" /> },
            ]}
          />
        </div>
        <div>
          {props.conversationId ? (
            <ConversationPane
              key={props.conversationId}
              id={props.conversationId}
              me={me}
              names={names}
              people={people}
              teams={teams}
              live={live}
              liveMessages={liveMessages}
              handle={pane}
              onChanged={() => reloadList()}
            />
          ) : (
            <div class="empty">
              <h2>No conversation open</h2>
              <p>Pick one from the list (j / k to move, Enter to open).</p>
            </div>
          )}
        </div>
      </div>
      {help && (
        <Dialog title="Keyboard shortcuts" onClose={() => setHelp(false)}>
          <dl>
            {SHORTCUTS.map(([keys, action]) => (
              <>
                <dt>
                  <kbd>{keys}</kbd>
                </dt>
                <dd>{action}</dd>
              </>
            ))}
          </dl>
          <div class="actions">
            <button type="button" onClick={() => setHelp(false)} data-autofocus>
              Close
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}
