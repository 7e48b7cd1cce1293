import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage, type Page } from '../../api.js';
import { Time } from '../../components/Time.js';
import { CHANNEL_TYPES, type Connection, type Conversation, type Delivery, type InboundEvent } from '../../types.js';

type Loaded<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ok'; value: T };

function useLoad<T>(work: () => Promise<T>, tick: number): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    work().then(
      (value) => live && setLoaded({ state: 'ok', value }),
      (error) => live && setLoaded({ state: 'error', message: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [tick]);
  return loaded;
}

function Card(props: { title: string; loaded: Loaded<unknown>; retry: () => void; children?: ComponentChildren }) {
  return (
    <section class="card" aria-labelledby={`card-${props.title}`} aria-busy={props.loaded.state === 'loading'}>
      <h2 id={`card-${props.title}`}>{props.title}</h2>
      {props.loaded.state === 'loading' && <div class="skeleton-row" aria-label="Loading" />}
      {props.loaded.state === 'error' && (
        <div role="alert">
          <p>Could not load: {props.loaded.message}</p>
          <button type="button" class="secondary" onClick={props.retry}>
            Retry
          </button>
        </div>
      )}
      {props.loaded.state === 'ok' && props.children}
    </section>
  );
}

const DAY_MS = 24 * 60 * 60 * 1000;

async function channelsByType(): Promise<[string, number][]> {
  const counts = await Promise.all(
    CHANNEL_TYPES.map(async (type) => [type, (await api.get<Page<unknown>>(`deployment-channels/by-type/${type}`, { query: { pageSize: 1 } })).meta.totalCount] as [string, number]),
  );
  return counts.filter(([, count]) => count > 0);
}

/** Conversations not resolved, and those among them waiting for a person, counted by the server. */
async function openConversations(): Promise<{ open: number; waiting: number }> {
  const count = async (state: string) => (await api.get<Page<Conversation>>('conversations', { query: { state, pageSize: 1 } })).meta.totalCount;
  const [open, waiting] = await Promise.all([count('bot,pending_human,human'), count('pending_human')]);
  return { open, waiting };
}

async function deadDeliveries(): Promise<{ count: number; exact: boolean; latest: Delivery | undefined }> {
  const dead = await api.get<Page<Delivery>>('deliveries', { query: { status: 'dead', pageSize: 100 } });
  const since = Date.now() - DAY_MS;
  const recent = dead.data.filter((delivery) => delivery.updatedAt >= since);
  return { count: recent.length, exact: dead.meta.totalCount <= dead.data.length, latest: recent.sort((a, b) => b.updatedAt - a.updatedAt)[0] };
}

interface ConnectionActivity {
  connection: Connection;
  lastAccepted: InboundEvent | null | undefined;
  lastRefused: InboundEvent | null | undefined;
}

async function connectionActivity(): Promise<ConnectionActivity[]> {
  const connections = await api.get<Page<Connection>>('connections', { query: { pageSize: 100 } });
  return Promise.all(
    connections.data.map(async (connection) => {
      try {
        const events = await api.get<Page<InboundEvent>>(`connections/${connection.id}/inbound-events`, { query: { pageSize: 100 } });
        const newest = [...events.data].sort((a, b) => new Date(b.receivedAt).getTime() - new Date(a.receivedAt).getTime());
        return {
          connection,
          lastAccepted: newest.find((event) => event.outcome === 'accepted') ?? null,
          lastRefused: newest.find((event) => event.outcome === 'refused') ?? null,
        };
      } catch {
        // Servers without the inbound-events route: nothing to say.
        return { connection, lastAccepted: undefined, lastRefused: undefined };
      }
    }),
  );
}

export default function OverviewPage() {
  const [tick, setTick] = useState(0);
  const retry = () => setTick((n) => n + 1);
  const channels = useLoad(channelsByType, tick);
  const conversations = useLoad(openConversations, tick);
  const dead = useLoad(deadDeliveries, tick);
  const activity = useLoad(connectionActivity, tick);

  return (
    <section aria-labelledby="overview-title">
      <div class="page-head">
        <h1 id="overview-title">Overview</h1>
        <button type="button" class="secondary" onClick={retry}>
          Refresh
        </button>
      </div>
      <div class="cards">
        <Card title="Channels by type" loaded={channels} retry={retry}>
          {channels.state === 'ok' &&
            (channels.value.length === 0 ? (
              <p>
                No channels yet. <a href="/console/channels">Create a channel</a>.
              </p>
            ) : (
              <ul>
                {channels.value.map(([type, count]) => (
                  <li key={type}>
                    <a href={`/console/channels?type=${type}`}>{type}</a>: {count}
                  </li>
                ))}
              </ul>
            ))}
        </Card>
        <Card title="Conversations" loaded={conversations} retry={retry}>
          {conversations.state === 'ok' && (
            <>
              <p class="big">{conversations.value.waiting}</p>
              <p>
                waiting for a person, of {conversations.value.open} open. <a href="/console/inbox">Open the inbox</a>
              </p>
            </>
          )}
        </Card>
        <Card title="Dead deliveries, last 24 hours" loaded={dead} retry={retry}>
          {dead.state === 'ok' && (
            <>
              <p class="big">{dead.value.count}</p>
              {dead.value.latest?.lastError && <p class="hint">Latest error: {dead.value.latest.lastError}</p>}
              <p class="hint">
                {dead.value.exact ? '' : 'Counted among the 100 most recent dead deliveries. '}
                <a href="/console/deliveries">See deliveries</a>
              </p>
            </>
          )}
        </Card>
      </div>
      <Card title="Connections" loaded={activity} retry={retry}>
        {activity.state === 'ok' &&
          (activity.value.length === 0 ? (
            <p>
              No connections yet. <a href="/console/connections">Connect a provider</a>.
            </p>
          ) : (
            <div class="table-wrap">
              <table>
                <caption class="visually-hidden">Last inbound webhook and last refusal per connection</caption>
                <thead>
                  <tr>
                    <th scope="col">Connection</th>
                    <th scope="col">Provider</th>
                    <th scope="col">Last inbound webhook</th>
                    <th scope="col">Last refusal</th>
                  </tr>
                </thead>
                <tbody>
                  {activity.value.map(({ connection, lastAccepted, lastRefused }) => (
                    <tr key={connection.id}>
                      <td>{connection.name}</td>
                      <td>{connection.provider}</td>
                      <td>{lastAccepted ? <Time value={lastAccepted.receivedAt} /> : lastAccepted === null ? 'none yet' : '—'}</td>
                      <td>
                        {lastRefused ? (
                          <>
                            <Time value={lastRefused.receivedAt} />
                            {lastRefused.reason ? ` (${lastRefused.reason})` : ''}
                          </>
                        ) : lastRefused === null ? (
                          'none'
                        ) : (
                          '—'
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
      </Card>
    </section>
  );
}
