import { useCallback, useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso/router';
import { ErrorBoundary } from 'preact-iso/lazy';
import { refreshSession, setUnauthorizedHandler, errorMessage, type SessionInfo } from './api.js';
import { SessionContext, RoleGate } from './session.js';
import { Layout } from './layout/Layout.js';
import { PAGES, PUBLIC_PAGES } from './routes.js';
import { ToastRegion } from './components/Toast.js';

export function signInUrl(next: string): string {
  return `/console/sign-in?next=${encodeURIComponent(next)}`;
}

/** Each page behind its role check, built once so routing does not remount pages. */
const GATED = PAGES.map((page) => ({
  path: page.path,
  component: (props: Record<string, unknown>) => (
    <RoleGate>
      <page.component {...props} />
    </RoleGate>
  ),
}));

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        Nothing is here (yet). <a href="/console/">Back to the overview</a>.
      </p>
    </section>
  );
}

function Shell() {
  const location = useLocation();
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [failure, setFailure] = useState<string | null>(null);
  const isPublic = /^\/console\/(sign-in|invite\/)/.test(location.path);

  const reload = useCallback(async () => {
    try {
      setSession(await refreshSession());
      setFailure(null);
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setSession(null);
      const here = `${window.location.pathname}${window.location.search}`;
      if (!/^\/console\/(sign-in|invite\/)/.test(window.location.pathname)) location.route(signInUrl(here), true);
    });
  }, []);

  useEffect(() => {
    if (!isPublic || session === undefined) void reload();
  }, [isPublic]);

  useEffect(() => {
    if (session === null && !isPublic) location.route(signInUrl(location.url), true);
    if (session && session.member.role === 'agent' && (location.path === '/console/' || location.path === '/console')) location.route('/console/inbox', true);
  }, [session, isPublic, location.path]);

  if (isPublic) {
    return (
      <main id="main" class="public">
        <ErrorBoundary>
          <Router>
            {PUBLIC_PAGES.map((page) => (
              <Route path={page.path} component={page.component} onSignedIn={reload} />
            ))}
          </Router>
        </ErrorBoundary>
      </main>
    );
  }
  if (failure && !session) {
    return (
      <main id="main" class="public">
        <div role="alert" class="notice error">
          <p>The console could not reach the server: {failure}</p>
          <button type="button" onClick={() => void reload()}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  if (!session) return <p class="boot">Loading the Switchboard console…</p>;
  return (
    <SessionContext.Provider value={{ session, reload }}>
      <Layout>
        <ErrorBoundary>
          <Router>
            {[
              ...GATED.map((page) => <Route path={page.path} component={page.component} />),
              <Route default component={NotFound} />,
            ]}
          </Router>
        </ErrorBoundary>
      </Layout>
    </SessionContext.Provider>
  );
}

export function App() {
  return (
    <LocationProvider scope="/console">
      <Shell />
      <ToastRegion />
    </LocationProvider>
  );
}
