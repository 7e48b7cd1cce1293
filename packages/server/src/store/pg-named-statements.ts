/**
 * Named (prepared) statements for node-postgres under Kysely.
 *
 * node-postgres sends a query without a `name` as an unnamed statement, which PostgreSQL parses
 * and plans anew every time. Given a name, node-postgres parses it once per connection and then
 * only binds and executes it. Kysely produces the same SQL text for the same query shape, so the
 * text is the key: the second time a text is seen it gets a name, and from then on each
 * connection prepares it once.
 *
 * What is never named: statements without parameters (transaction control, DDL of migrations and
 * ad-hoc SQL run once), statements that are not plain DML, and very long texts. PostgreSQL keeps a
 * prepared statement until the connection closes, so each connection keeps at most
 * `maxPerConnection` of them and deallocates the least recently used one to make room (an
 * `IN (…)` list of a new length is a new text).
 */
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

export interface NamedStatementOptions {
  /** Prepared statements kept per connection before the least recently used is deallocated. */
  maxPerConnection?: number;
  /** Texts remembered pool-wide (seen once, or named); forgotten all at once beyond this. */
  maxKnownTexts?: number;
  /** Longer texts are sent unnamed: a plan for a huge ad-hoc statement is not worth keeping. */
  maxTextLength?: number;
}

/** What node-postgres's client offers here: query by config object, and its parsed-statement registry. */
interface PgClient {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<PostgresQueryResult<unknown>>;
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult<unknown>>;
  query(cursor: unknown): unknown;
  release(error?: Error | boolean): void;
  /** 'I' idle, 'T' in a transaction, 'E' in a failed transaction (pg 8.12+). */
  getTransactionStatus?(): string | null;
  connection?: { parsedStatements?: Record<string, string> };
}

const DML = /^\s*(select|insert|update|delete|with)\b/i;

/** PostgreSQL refuses a prepared statement whose result columns a schema change (another node's migration) altered. */
const isStalePlan = (error: unknown) => (error as { code?: unknown } | null)?.code === '0A000';

export function withNamedStatements(pool: { connect(): Promise<unknown>; end(): Promise<void> }, options: NamedStatementOptions = {}): PostgresPool {
  const maxPerConnection = options.maxPerConnection ?? 200;
  const maxKnownTexts = options.maxKnownTexts ?? 5_000;
  const maxTextLength = options.maxTextLength ?? 16_384;
  /** Text → its name once seen twice, or null after its first sighting. */
  const known = new Map<string, string | null>();
  let nextName = 0;
  const wrappers = new WeakMap<object, PostgresPoolClient>();

  function nameFor(text: string, parameterCount: number): string | undefined {
    if (parameterCount === 0 || text.length > maxTextLength || !DML.test(text)) return undefined;
    const name = known.get(text);
    if (name) return name;
    // The oldest text goes: clearing them all would rename every hot statement at once.
    if (known.size >= maxKnownTexts) known.delete(known.keys().next().value!);
    if (name === null) {
      const assigned = `sb_${(nextName++).toString(36)}`;
      known.set(text, assigned);
      return assigned;
    }
    known.set(text, null);
    return undefined;
  }

  function wrap(client: PgClient): PostgresPoolClient {
    // Names prepared on this connection, least recently used first.
    const prepared = new Map<string, true>();
    const registry = client.connection?.parsedStatements;

    function deallocate(name: string): Promise<unknown> {
      prepared.delete(name);
      // Forget it only once the server has: a query queued before this one may still use it.
      return client.query(`DEALLOCATE ${name}`).then(
        () => delete registry![name],
        () => undefined,
      );
    }

    /** Makes room for one more name; false when that cannot be done safely (no registry to update). */
    function makeRoom(): boolean {
      if (prepared.size < maxPerConnection) return true;
      if (!registry) return false;
      void deallocate(prepared.keys().next().value as string);
      return true;
    }

    /** Runs a named statement; one whose plan a schema change made stale is prepared afresh. */
    async function runNamed(name: string, text: string, values: unknown[]) {
      try {
        return await client.query({ name, text, values });
      } catch (error) {
        if (!isStalePlan(error) || !registry) throw error;
        if (client.getTransactionStatus?.() !== 'I') {
          // The failure has aborted the transaction, which refuses DEALLOCATE too: the text gets a
          // new name instead (prepared afresh on its next use), and only the caller can start over.
          // The stale name stays on this connection, unused, until it ends.
          prepared.delete(name);
          if (known.get(text) === name) known.delete(text);
          throw error;
        }
        await deallocate(name);
        prepared.set(name, true);
        return client.query({ name, text, values });
      }
    }

    const query = ((textOrCursor: unknown, parameters?: ReadonlyArray<unknown>) => {
      if (typeof textOrCursor !== 'string') return client.query(textOrCursor);
      const values = parameters ? [...parameters] : [];
      const name = nameFor(textOrCursor, values.length);
      if (name === undefined) return client.query(textOrCursor, values);
      if (prepared.has(name)) {
        prepared.delete(name);
        prepared.set(name, true);
      } else {
        if (!makeRoom()) return client.query(textOrCursor, values);
        prepared.set(name, true);
      }
      return runNamed(name, textOrCursor, values);
    }) as PostgresPoolClient['query'];

    return { query, release: () => client.release() };
  }

  return {
    async connect() {
      const client = (await pool.connect()) as PgClient;
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = wrap(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
