import { createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import type { Role, SessionInfo } from './api.js';

export const SessionContext = createContext<{ session: SessionInfo; reload: () => Promise<void> } | null>(null);

export function useSession(): { session: SessionInfo; reload: () => Promise<void> } {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in page');
  return value;
}

/** Pages and the roles that may use them; the navigation and the router both read it. */
export interface NavItem {
  path: string;
  label: string;
  roles: readonly Role[];
}

const STAFF: readonly Role[] = ['owner', 'admin'];
const EVERYONE: readonly Role[] = ['owner', 'admin', 'agent'];

export const NAV: readonly NavItem[] = [
  { path: '/console/', label: 'Overview', roles: STAFF },
  { path: '/console/inbox', label: 'Inbox', roles: EVERYONE },
  { path: '/console/channels', label: 'Channels', roles: STAFF },
  { path: '/console/agents', label: 'Agents', roles: STAFF },
  { path: '/console/connections', label: 'Connections', roles: STAFF },
  { path: '/console/deliveries', label: 'Deliveries', roles: STAFF },
  { path: '/console/webhooks', label: 'Webhooks', roles: STAFF },
  { path: '/console/teams', label: 'Teams', roles: STAFF },
  { path: '/console/workflows', label: 'Workflows', roles: STAFF },
  { path: '/console/api-keys', label: 'API keys', roles: STAFF },
  { path: '/console/members', label: 'Members', roles: ['owner'] },
];

/** Whether a role may open a console path; paths outside the navigation (Profile) are everyone's. */
export function can(role: Role, path: string): boolean {
  const clean = path.replace(/\/+$/, '') || '/console';
  const item = NAV.find((entry) => {
    const base = entry.path.replace(/\/+$/, '');
    return base === '/console' ? clean === '/console' : clean === base || clean.startsWith(`${base}/`);
  });
  return item ? item.roles.includes(role) : true;
}

export function RoleGate(props: { children: ComponentChildren }) {
  const { session } = useSession();
  const { path } = useLocation();
  if (!can(session.member.role, path)) {
    return (
      <section aria-labelledby="forbidden-title">
        <h1 id="forbidden-title">Not available</h1>
        <p>Your role ({session.member.role}) cannot use this page. Ask an owner if you need it.</p>
      </section>
    );
  }
  return <>{props.children}</>;
}
