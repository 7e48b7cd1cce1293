/**
 * The Prometheus metrics one server process exposes at /metrics. Counters and histograms are
 * updated where the work happens; backlog gauges are read from the database at scrape time, so
 * every node reports the same shared queues and nothing is kept in step by hand.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../store/schema.js';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface MetricsOptions {
  db: Kysely<DB>;
  /** PostgreSQL pool usage; absent on SQLite (one connection, handed out in order). */
  poolStats?: () => PoolStats;
  /** How many SQL statements this process has run; read at scrape time. */
  statementsExecuted?: () => number;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Why an inbound webhook was refused, from the status it was answered with. */
export function refusalReason(status: number): string {
  switch (status) {
    case 400:
      return 'malformed';
    case 401:
      return 'unauthenticated';
    case 403:
      return 'forbidden';
    case 404:
      return 'unknown_connection';
    case 405:
      return 'method';
    case 413:
      return 'too_large';
    case 429:
      return 'rate_limited';
    default:
      return status >= 500 ? 'server_error' : 'other';
  }
}

export function createMetrics(options: MetricsOptions) {
  const registry = new Registry();
  // Process metrics start with the first scrape: an app that is never scraped (most tests, a node
  // without monitoring) keeps no event-loop monitor or GC observer running.
  let processMetrics = false;

  const httpDuration = new Histogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inbound = new Counter({
    name: 'switchboard_inbound_webhooks_total',
    help: 'Provider and helpdesk webhooks, accepted or refused (with the reason), by provider',
    labelNames: ['provider', 'outcome', 'reason'] as const,
    registers: [registry],
  });
  const attempts = new Counter({
    name: 'switchboard_delivery_attempts_total',
    help: 'Outbound delivery attempts by channel type (or webhook_event) and outcome: sent, retry or dead',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  const sseStreams = new Gauge({
    name: 'switchboard_sse_streams_open',
    help: 'Server-Sent Events streams open on this process',
    labelNames: ['stream'] as const,
    registers: [registry],
  });
  const degraded = new Gauge({
    name: 'switchboard_redis_degraded',
    help: '1 while Redis is unreachable and this process falls back to local rate limits and events',
    registers: [registry],
  });
  degraded.set(0);
  sseStreams.set({ stream: 'widget' }, 0);

  const { db } = options;
  const QUEUES = {
    inbox: { table: 'inbound_events', statuses: ['pending', 'processing'], since: 'received_at' },
    outbox: { table: 'deliveries', statuses: ['pending', 'sending'], since: 'created_at' },
    dead: { table: 'deliveries', statuses: ['dead'], since: 'created_at' },
  } as const;

  interface QueueFigures {
    count: number;
    ageSeconds: number;
  }

  /** How many rows wait in a queue and how old the oldest is. */
  async function queueFigures(queue: keyof typeof QUEUES): Promise<QueueFigures> {
    const { table, statuses, since } = QUEUES[queue];
    const { rows } = await sql<{ n: number | string; oldest: number | string | null }>`
      select count(*) as n, min(${sql.ref(since)}) as oldest from ${sql.table(table)} where status in (${sql.join([...statuses])})`.execute(db);
    const row = rows[0];
    const oldest = row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest);
    return { count: Number(row?.n ?? 0), ageSeconds: oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000) };
  }

  /**
   * One scrape reads the pool first (before its own queries use it), then each queue once; the
   * gauges share that reading.
   */
  let reading: { at: number; figures: Promise<ScrapeFigures> } | undefined;
  interface ScrapeFigures {
    pool: PoolStats | undefined;
    inbox: QueueFigures;
    outbox: QueueFigures;
    dead: QueueFigures;
  }
  function figures(): Promise<ScrapeFigures> {
    if (!reading || Date.now() - reading.at > 250) {
      const pool = options.poolStats?.();
      const work = (async () => ({ pool, inbox: await queueFigures('inbox'), outbox: await queueFigures('outbox'), dead: await queueFigures('dead') }))();
      reading = { at: Date.now(), figures: work };
      work.catch(() => (reading = undefined));
    }
    return reading.figures;
  }

  const gauge = (name: string, help: string, read: (f: ScrapeFigures) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(read(await figures()));
      },
    });
  gauge('switchboard_inbox_backlog', 'Inbound events recorded and not yet processed', (f) => f.inbox.count);
  gauge('switchboard_inbox_oldest_pending_age_seconds', 'Age of the oldest inbound event waiting to be processed (0 when none)', (f) => f.inbox.ageSeconds);
  gauge('switchboard_outbox_pending', 'Outbound deliveries waiting to be sent or retried', (f) => f.outbox.count);
  gauge('switchboard_outbox_oldest_pending_age_seconds', 'Age of the oldest outbound delivery waiting (0 when none)', (f) => f.outbox.ageSeconds);
  gauge('switchboard_outbox_dead', 'Outbound deliveries that gave up (dead letters)', (f) => f.dead.count);
  if (options.poolStats) {
    new Gauge({
      name: 'switchboard_db_pool_connections',
      help: 'PostgreSQL pool connections: in use, idle, and requests waiting for one',
      labelNames: ['state'] as const,
      registers: [registry],
      async collect() {
        const stats = (await figures()).pool!;
        this.set({ state: 'in_use' }, stats.total - stats.idle);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
  }

  if (options.statementsExecuted) {
    const read = options.statementsExecuted;
    new Counter({
      name: 'switchboard_db_statements_total',
      help: 'SQL statements this process has run on the database, BEGIN and COMMIT included',
      registers: [registry],
      collect() {
        // The driver keeps the count (one increment per statement); a scrape copies it over.
        this.reset();
        this.inc(read());
      },
    });
  }

  return {
    registry,
    /** The text of every metric (Prometheus format), the process metrics included. */
    async scrape(): Promise<string> {
      if (!processMetrics) {
        processMetrics = true;
        collectDefaultMetrics({ register: registry, prefix: 'switchboard_' });
      }
      return registry.metrics();
    },
    observeRequest(method: string, route: string, statusCode: number, seconds: number) {
      httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
    },
    inboundWebhook(provider: string, statusCode: number) {
      const accepted = statusCode < 400;
      inbound.inc({ provider, outcome: accepted ? 'accepted' : 'refused', reason: accepted ? '' : refusalReason(statusCode) });
    },
    deliveryAttempt(channel: string, outcome: 'sent' | 'retry' | 'dead') {
      attempts.inc({ channel, outcome });
    },
    streamOpened(stream: 'widget' | 'events') {
      sseStreams.inc({ stream });
    },
    streamClosed(stream: 'widget' | 'events') {
      sseStreams.dec({ stream });
    },
    setRedisDegraded(isDegraded: boolean) {
      degraded.set(isDegraded ? 1 : 0);
    },
  };
}
