import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { api } from '../api.js';
import { NAV, useSession } from '../session.js';
import { applyTheme, storedTheme, type ThemeChoice } from '../theme.js';
import { toast } from '../components/Toast.js';

function isCurrent(itemPath: string, path: string): boolean {
  const base = itemPath.replace(/\/+$/, '');
  const here = path.replace(/\/+$/, '');
  return base === '/console' ? here === '/console' : here === base || here.startsWith(`${base}/`);
}

export function Layout(props: { children: ComponentChildren }) {
  const { session } = useSession();
  const location = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme());
  const items = NAV.filter((item) => item.roles.includes(session.member.role));

  useEffect(() => setMenuOpen(false), [location.path]);

  async function signOut() {
    try {
      await api.delete('session', { quiet401: true });
    } catch {
      // signed out already, or the server is away: leave the page either way
    }
    window.location.assign('/console/sign-in');
  }

  return (
    <div class="app">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <button
          type="button"
          class="menu-button secondary"
          aria-expanded={menuOpen}
          aria-controls="primary-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <a class="brand" href="/console/">
          Switchboard
        </a>
        <span class="workspace" title="Workspace">
          {session.workspace.name}
        </span>
        <span class="spacer" />
        <label class="theme-switch">
          <span>Theme</span>
          <select
            value={theme}
            onChange={(event) => {
              const choice = event.currentTarget.value as ThemeChoice;
              setTheme(choice);
              applyTheme(choice);
              toast(`Theme: ${choice}`);
            }}
          >
            <option value="system">System</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <a href="/console/profile" class="member" aria-current={location.path === '/console/profile' ? 'page' : undefined}>
          {session.member.name || session.member.email}
        </a>
        <button type="button" class="secondary" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <nav id="primary-nav" class={`sidebar${menuOpen ? ' open' : ''}`} aria-label="Console">
        <ul>
          {items.map((item) => (
            <li key={item.path}>
              <a href={item.path} aria-current={isCurrent(item.path, location.path) ? 'page' : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}
