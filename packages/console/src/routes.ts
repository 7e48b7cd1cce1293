import lazy from 'preact-iso/lazy';

/**
 * Every signed-in page: its path and its lazily-loaded component (one chunk per page, named after
 * the file). To add a page, create pages/<name>/<Name>Page.tsx with a default export, add it here
 * and, if it belongs in the navigation, to NAV in session.tsx.
 */
export const PAGES = [
  { path: '/console/', component: lazy(() => import('./pages/overview/OverviewPage.js')) },
  { path: '/console/profile', component: lazy(() => import('./pages/profile/ProfilePage.js')) },
  { path: '/console/channels', component: lazy(() => import('./pages/channels/ChannelsPage.js')) },
  { path: '/console/agents', component: lazy(() => import('./pages/agents/AgentsPage.js')) },
  { path: '/console/inbox/:conversationId?', component: lazy(() => import('./pages/inbox/InboxPage.js')) },
  { path: '/console/agents/:id/deploy', component: lazy(() => import('./pages/deploy/DeployPage.js')) },
  { path: '/console/connections', component: lazy(() => import('./pages/connections/ConnectionsPage.js')) },
  { path: '/console/api-keys', component: lazy(() => import('./pages/api-keys/ApiKeysPage.js')) },
  { path: '/console/members', component: lazy(() => import('./pages/members/MembersPage.js')) },
  { path: '/console/deliveries', component: lazy(() => import('./pages/deliveries/DeliveriesPage.js')) },
  { path: '/console/webhooks', component: lazy(() => import('./pages/webhooks/WebhooksPage.js')) },
  { path: '/console/teams', component: lazy(() => import('./pages/teams/TeamsPage.js')) },
  { path: '/console/workflows', component: lazy(() => import('./pages/workflows/WorkflowsPage.js')) },
];

/** Pages shown without signing in. */
export const PUBLIC_PAGES = [
  { path: '/console/sign-in', component: lazy(() => import('./pages/sign-in/SignInPage.js')) },
  { path: '/console/invite/:token', component: lazy(() => import('./pages/invite/InvitePage.js')) },
];
