/**
 * Announces, within this process, that something a request is authenticated by has changed:
 * an API key, a workspace's status, a widget deployment (its tokens, origins, revocation) or a
 * deployment configuration (paused, archived). Repositories announce after they write, so a
 * cache of credentials (http/credential-cache.ts) drops what it holds before the next request;
 * bus/invalidations.ts carries the same announcements to the other nodes.
 *
 * Listeners are kept per database, not per process: two databases opened in one process (two
 * test servers, a CLI beside a server) do not hear each other. A transaction shares its
 * database's adapter, which is what identifies the database here.
 *
 * A change announced inside a transaction is announced again once the transaction commits. On
 * PostgreSQL another connection can still read the old row between the first announcement and
 * the commit, and a cache would keep that read; the second announcement drops it. Both drivers
 * report their transactions' ends here (store/sqlite-driver.ts, store/database.ts).
 */
import type { Kysely } from 'kysely';
import type { DB } from './schema.js';

export type CredentialChange =
  | { kind: 'apiKey'; id: string }
  | { kind: 'workspace'; id: string }
  | { kind: 'webDeployment'; id: string }
  | { kind: 'deploymentConfiguration'; id: string };

export type CredentialChangeListener = (change: CredentialChange) => void;

const listenersByDatabase = new WeakMap<object, Set<CredentialChangeListener>>();

const identityOf = (db: Kysely<DB>): object => db.getExecutor().adapter;

/** Changes announced in the transaction open on a connection, to announce again at its commit. */
const announcedInTransaction = new WeakMap<object, { identity: object; change: CredentialChange }[]>();

function deliver(identity: object, change: CredentialChange): void {
  for (const listener of listenersByDatabase.get(identity) ?? []) listener(change);
}

export function announceCredentialChange(db: Kysely<DB>, change: CredentialChange): void {
  const identity = identityOf(db);
  deliver(identity, change);
  if (!db.isTransaction) return;
  // The transaction's own connection; with no statement running the callback runs at once.
  void db.getExecutor().provideConnection(async (connection) => {
    announcedInTransaction.get(connection)?.push({ identity, change });
  });
}

/** For drivers: a transaction began on `connection`. */
export function transactionBegan(connection: object): void {
  announcedInTransaction.set(connection, []);
}

/** For drivers: the transaction on `connection` ended; once committed, what it announced is announced again. */
export function transactionEnded(connection: object, committed: boolean): void {
  const announced = announcedInTransaction.get(connection);
  announcedInTransaction.delete(connection);
  if (committed) for (const { identity, change } of announced ?? []) deliver(identity, change);
}

/** Calls `listener` for every change announced on this database (or a transaction of it); returns the way to stop. */
export function onCredentialChange(db: Kysely<DB>, listener: CredentialChangeListener): () => void {
  const identity = identityOf(db);
  let listeners = listenersByDatabase.get(identity);
  if (!listeners) listenersByDatabase.set(identity, (listeners = new Set()));
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export function isCredentialChange(value: unknown): value is CredentialChange {
  const change = value as Partial<CredentialChange> | null;
  return (
    typeof change === 'object' &&
    change !== null &&
    typeof change.id === 'string' &&
    (change.kind === 'apiKey' || change.kind === 'workspace' || change.kind === 'webDeployment' || change.kind === 'deploymentConfiguration')
  );
}
