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

export function announceCredentialChange(db: Kysely<DB>, change: CredentialChange): void {
  for (const listener of listenersByDatabase.get(identityOf(db)) ?? []) listener(change);
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
