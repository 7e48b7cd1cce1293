import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiFailure, errorMessage, type Page } from '../../api.js';
import { Time } from '../../components/Time.js';
import { stateLabel, type Contact, type InboxConversation, type InboxMessage } from './inbox-api.js';

export interface PaneHandle {
  takeOver: () => void;
  resolve: () => void;
  focusReply: () => void;
}

export interface PaneProps {
  id: string;
  me: { id: string; name: string };
  names: Record<string, string>;
  /** Workspace members a conversation can be assigned to, by id. */
  people: Record<string, string>;
  teams: { id: string; name: string }[];
  /** The newest copy of the conversation from the live stream (or null). */
  live: InboxConversation | null;
  /** Messages received on the live stream for this conversation. */
  liveMessages: InboxMessage[];
  handle: { current: PaneHandle | null };
  onChanged: (conversation: InboxConversation) => void;
}

function authorLabel(message: InboxMessage, props: PaneProps): string {
  if (message.role === 'contact') return 'Contact';
  if (message.role === 'agent') return 'Agent';
  const id = message.authorId ?? '';
  return props.names[id] ?? (id === props.me.id ? props.me.name : 'A person');
}

/** Transcript pages are oldest first, so earlier pages never shift as messages arrive. */
const TRANSCRIPT_PAGE = 50;

function pageRows(page: Page<InboxMessage> | InboxMessage[]): InboxMessage[] {
  return Array.isArray(page) ? page : page.data;
}

export function ConversationPane(props: PaneProps) {
  const [conversation, setConversation] = useState<InboxConversation | null>(null);
  const [messages, setMessages] = useState<InboxMessage[]>([]);
  /** The earliest transcript page loaded; pages before it are fetched on request. */
  const [earliest, setEarliest] = useState(1);
  const [loadingEarlier, setLoadingEarlier] = useState(false);
  const keepScroll = useRef(false);
  const [contact, setContact] = useState<Contact | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [text, setText] = useState('');
  const reply = useRef<HTMLTextAreaElement>(null);
  const transcript = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    const signal = controller.signal;
    setConversation(null);
    setMessages([]);
    setContact(null);
    setError(null);
    setActionError(null);
    (async () => {
      const loaded = await api.get<InboxConversation>(`conversations/${props.id}`, { signal });
      setConversation(loaded);
      // The newest messages matter most: read the last page, and the one before it for context.
      const transcriptPage = (page: number) => api.get<Page<InboxMessage> | InboxMessage[]>(`conversations/${props.id}/messages`, { query: { page, pageSize: TRANSCRIPT_PAGE }, signal });
      const first = await transcriptPage(1);
      const last = Array.isArray(first) ? 1 : first.meta.totalPages;
      if (last <= 1) {
        setMessages(pageRows(first));
        setEarliest(1);
      } else {
        const from = Math.max(1, last - 1);
        const pages = await Promise.all(Array.from({ length: last - from + 1 }, (_, index) => (from + index === 1 ? first : transcriptPage(from + index))));
        setMessages(pages.flatMap(pageRows));
        setEarliest(from);
      }
      api.post(`conversations/${props.id}/read`).catch(() => undefined);
      setContact(await api.get<Contact>(`contacts/${loaded.contactId}`, { signal }).catch(() => null));
    })().catch((failure) => {
      if ((failure as Error).name !== 'AbortError') setError(errorMessage(failure));
    });
    return () => controller.abort();
  }, [props.id]);

  useEffect(() => {
    if (props.live && props.live.id === props.id) setConversation((current) => (current ? { ...current, ...props.live } : props.live));
  }, [props.live]);

  useEffect(() => {
    if (props.liveMessages.length === 0) return;
    setMessages((current) => {
      const known = new Set(current.map((message) => message.id));
      const added = props.liveMessages.filter((message) => message.conversationId === props.id && !known.has(message.id));
      return added.length ? [...current, ...added] : current;
    });
  }, [props.liveMessages]);

  useEffect(() => {
    const list = transcript.current;
    if (keepScroll.current) keepScroll.current = false;
    else if (list) list.scrollTop = list.scrollHeight;
  }, [messages.length]);

  async function loadEarlier() {
    setLoadingEarlier(true);
    try {
      const page = await api.get<Page<InboxMessage> | InboxMessage[]>(`conversations/${props.id}/messages`, { query: { page: earliest - 1, pageSize: TRANSCRIPT_PAGE } });
      keepScroll.current = true;
      setMessages((current) => {
        const known = new Set(current.map((message) => message.id));
        return [...pageRows(page).filter((message) => !known.has(message.id)), ...current];
      });
      setEarliest(earliest - 1);
    } catch (failure) {
      setActionError(errorMessage(failure));
    } finally {
      setLoadingEarlier(false);
    }
  }

  async function act(path: string, body?: unknown) {
    setBusy(true);
    setActionError(null);
    try {
      const changed = await api.post<InboxConversation>(`conversations/${props.id}/${path}`, body);
      setConversation((current) => ({ ...(current ?? changed), ...changed }));
      props.onChanged(changed);
      return true;
    } catch (failure) {
      setActionError(failure instanceof ApiFailure ? failure.message : errorMessage(failure));
      if (failure instanceof ApiFailure && failure.status === 409) {
        api.get<InboxConversation>(`conversations/${props.id}`).then(setConversation, () => undefined);
      }
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function send() {
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    setActionError(null);
    try {
      const sent = await api.post<InboxMessage>(`conversations/${props.id}/messages`, { role: 'human', text: body });
      setText('');
      setMessages((current) => (current.some((message) => message.id === sent.id) ? current : [...current, sent]));
    } catch (failure) {
      setActionError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  const state = conversation?.handoffState;
  const canTake = state === 'bot' || state === 'pending_human';
  const withPerson = state === 'human';
  const canResolve = state === 'pending_human' || state === 'human';
  props.handle.current = {
    takeOver: () => canTake && !busy && void act('handoff/takeover', {}),
    resolve: () => canResolve && !busy && void act('handoff/resolve'),
    focusReply: () => reply.current?.focus(),
  };

  if (error) {
    return (
      <div role="alert" class="notice error">
        <p>The conversation could not be loaded: {error}</p>
      </div>
    );
  }
  if (!conversation) return <p aria-busy="true">Loading the conversation…</p>;
  const owner = conversation.assignedMemberId ? (props.names[conversation.assignedMemberId] ?? (conversation.assignedMemberId === props.me.id ? props.me.name : 'another person')) : null;

  return (
    <section aria-labelledby="conversation-title">
      <h2 id="conversation-title">Conversation</h2>
      <p>
        <span class="badge">{stateLabel(conversation.handoffState)}</span>
        {owner && <span class="muted"> · with {owner}</span>}
      </p>
      {earliest > 1 && (
        <button type="button" class="secondary" disabled={loadingEarlier} onClick={() => void loadEarlier()}>
          {loadingEarlier ? 'Loading…' : 'Show earlier messages'}
        </button>
      )}
      <ol ref={transcript} class="transcript" aria-label="Transcript" tabIndex={0}>
        {messages.map((message) => (
          <li key={message.id} class={`message ${message.role}`}>
            <strong>{authorLabel(message, props)}</strong> <Time value={message.createdAt} />
            <p>{message.text ?? <em class="muted">(not recorded)</em>}</p>
            {message.quickReplies && message.quickReplies.length > 0 && <p class="muted">Quick replies: {message.quickReplies.join(' · ')}</p>}
            {message.attachments && message.attachments.length > 0 && (
              <ul class="attachments" aria-label="Files">
                {message.attachments.map((file) => (
                  <li key={file.id}>
                    {file.url ? (
                      <a href={file.url} target="_blank" rel="noopener noreferrer">
                        {file.name}
                      </a>
                    ) : (
                      file.name
                    )}{' '}
                    <span class="muted">
                      ({file.contentType}, {fileSize(file.size)})
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
        {messages.length === 0 && <li class="muted">No messages yet.</li>}
      </ol>
      {actionError && (
        <div role="alert" class="notice error">
          <p>{actionError}</p>
        </div>
      )}
      <div class="actions" role="group" aria-label="Conversation actions">
        <button type="button" disabled={!canTake || busy} onClick={() => act('handoff/takeover', {})}>
          Take over
        </button>
        <button type="button" class="secondary" disabled={!canResolve || busy} onClick={() => act('handoff/handback')}>
          Hand back to the agent
        </button>
        <button type="button" class="secondary" disabled={!canResolve || busy} onClick={() => act('handoff/resolve')}>
          Resolve
        </button>
      </div>
      <form
        class="reply"
        onSubmit={(event) => {
          event.preventDefault();
          void send();
        }}
      >
        <div class="field">
          <label for="reply-text">Reply as {props.me.name}</label>
          <textarea
            id="reply-text"
            ref={reply}
            rows={3}
            value={text}
            disabled={!withPerson}
            aria-describedby="reply-hint"
            onInput={(event) => setText(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey) {
                event.preventDefault();
                void send();
              }
            }}
          />
          <p id="reply-hint" class="hint">
            {withPerson ? 'Enter sends, Shift+Enter starts a new line.' : 'Take the conversation over to reply.'}
          </p>
        </div>
        <button type="submit" disabled={!withPerson || busy || !text.trim()}>
          Send
        </button>
      </form>
      <Assign conversation={conversation} teams={props.teams} people={props.people} me={props.me} busy={busy} act={act} />
      <ContactCard contact={contact} />
    </section>
  );
}

function Assign(props: {
  conversation: InboxConversation;
  teams: { id: string; name: string }[];
  /** Workspace members a conversation can be assigned to, by id. */
  people: Record<string, string>;
  me: { id: string };
  busy: boolean;
  act: (path: string, body: unknown) => Promise<boolean>;
}) {
  const [team, setTeam] = useState(props.conversation.assignedTeamId ?? '');
  const [member, setMember] = useState(props.conversation.assignedMemberId ?? '');
  useEffect(() => setTeam(props.conversation.assignedTeamId ?? ''), [props.conversation.assignedTeamId]);
  useEffect(() => setMember(props.conversation.assignedMemberId ?? ''), [props.conversation.assignedMemberId]);
  const members = Object.entries(props.people);
  return (
    <div class="toolbar" role="group" aria-label="Assign">
      <div class="field">
        <label for="assign-team">Team</label>
        <select id="assign-team" value={team} onChange={(event) => setTeam(event.currentTarget.value)}>
          <option value="">No team</option>
          {props.teams.map((entry) => (
            <option value={entry.id}>{entry.name}</option>
          ))}
        </select>
      </div>
      <button type="button" class="secondary" disabled={props.busy} onClick={() => props.act('assign', { teamId: team || null })}>
        Assign to team
      </button>
      {members.length > 1 ? (
        <>
          <div class="field">
            <label for="assign-member">Person</label>
            <select id="assign-member" value={member} onChange={(event) => setMember(event.currentTarget.value)}>
              <option value="">Nobody</option>
              {members.map(([id, name]) => (
                <option value={id}>{name}</option>
              ))}
            </select>
          </div>
          <button type="button" class="secondary" disabled={props.busy} onClick={() => props.act('assign', { memberId: member || null })}>
            Assign to person
          </button>
        </>
      ) : (
        <button type="button" class="secondary" disabled={props.busy || props.conversation.assignedMemberId === props.me.id} onClick={() => props.act('assign', { memberId: props.me.id })}>
          Assign to me
        </button>
      )}
    </div>
  );
}

function ContactCard(props: { contact: Contact | null }) {
  if (!props.contact) return null;
  const { attributes, ...fields } = props.contact;
  const rows = [...Object.entries(fields), ...Object.entries(attributes ?? {})].filter(([, value]) => value !== null && value !== undefined && typeof value !== 'object');
  return (
    <section class="card" aria-labelledby="contact-title">
      <h3 id="contact-title">Contact</h3>
      <dl>
        {rows.map(([key, value]) => (
          <>
            <dt>{key}</dt>
            <dd>{key.endsWith('At') && typeof value === 'number' ? <Time value={value} /> : String(value)}</dd>
          </>
        ))}
      </dl>
    </section>
  );
}

/** 48213 → "47.1 KB". */
function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
