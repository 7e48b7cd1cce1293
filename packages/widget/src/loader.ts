/**
 * The embed loader, served as GET /embed/v1.js. It renders nothing: it sets up the command queue
 * under both names (`SwitchboardQueue`, and the spec's `ConvoshipQueue`), drains any array a page
 * created before it ran, and on the first `init` injects the widget from the loader's own address
 * (`…/embed/v1.js` → `…/embed/v1/widget.js`). Once the widget has loaded, `push` acts at once.
 *
 *   <script src="https://HOST/embed/v1.js"></script>
 *   <script>ConvoshipQueue.push(['init', { agentId, token, channel: 'web', apiUrl }]);</script>
 *
 * or, with the init line before the loader:
 *
 *   <script>window.ConvoshipQueue = window.ConvoshipQueue || []; ConvoshipQueue.push(['init', {…}]);</script>
 *   <script async src="https://HOST/embed/v1.js"></script>
 *
 * The token alone names the deployment: `['init', { token: 'cdp_…' }]` is enough when the scripts
 * come from the runtime's own host (agentId is optional).
 */
type Command = unknown;
type Handler = (command: Command) => void;

interface Queue {
  __switchboard: 1;
  push(...commands: Command[]): number;
  /** Called once by widget.js when it has loaded: hands over everything pushed so far. */
  _attach(handler: Handler): void;
  /** The Trusted Types policy `switchboard` (a name is created only once), shared with the widget's chunks. */
  _url(url: string): string;
}

((w: Window & Record<string, unknown>, d: Document) => {
  const names = ['SwitchboardQueue', 'ConvoshipQueue'];
  if ((w[names[0]!] as Queue | undefined)?.__switchboard) return; // loaded twice: keep the first

  const self = (d.currentScript as HTMLScriptElement | null) || d.querySelector<HTMLScriptElement>('script[src*="/embed/v1.js"]');
  const src = self ? self.src : '';
  let pending: Command[] = [];
  let handler: Handler | null = null;
  let injected = false;

  // A page that requires Trusted Types accepts script URLs only from a policy it names: ours is
  // `switchboard` (CSP `trusted-types switchboard`). It passes only http(s) addresses.
  let policy: { createScriptURL(url: string): string } | null | undefined;
  const scriptUrl = (url: string): string => {
    const tt = w.trustedTypes as { createPolicy(name: string, rules: { createScriptURL(url: string): string }): typeof policy } | undefined;
    if (policy === undefined && tt) {
      try {
        policy = tt.createPolicy('switchboard', {
          createScriptURL: (value) => {
            if (!/^https?:\/\//i.test(new URL(value, location.href).href)) throw new TypeError(`not an http(s) script URL: ${value}`);
            return value;
          },
        });
      } catch {
        policy = null; // the page's CSP does not list `switchboard` in trusted-types
      }
    }
    return policy ? policy.createScriptURL(url) : url;
  };

  const inject = (options: { apiUrl?: string; widgetUrl?: string } | undefined) => {
    injected = true;
    const script = d.createElement('script');
    script.async = true;
    const url =
      (options && options.widgetUrl) ||
      (src ? src.replace(/\.js(?=[?#]|$)/, '/widget.js') : `${String((options && options.apiUrl) || '').replace(/\/+$/, '')}/embed/v1/widget.js`);
    const failed = (why: string) => {
      injected = false;
      console.error(`[switchboard] could not load the chat widget from ${url}${why}`);
    };
    try {
      script.src = scriptUrl(url);
    } catch (error) {
      return failed(`: ${error} (a page that requires Trusted Types must allow the policy: trusted-types switchboard)`);
    }
    script.onerror = () => failed('');
    (d.head || d.documentElement).appendChild(script);
  };

  const queue: Queue = {
    __switchboard: 1,
    push(...commands) {
      for (const command of commands) {
        if (handler) {
          handler(command);
        } else {
          pending.push(command);
          if (!injected && Array.isArray(command) && command[0] === 'init') inject(command[1]);
        }
      }
      return pending.length;
    },
    _attach(next) {
      handler = next;
      const drained = pending;
      pending = [];
      drained.forEach(next);
    },
    _url: scriptUrl,
  };

  // Commands a page queued before the loader ran, under either name (once if both name one array).
  const early: Command[] = [];
  const seen: unknown[] = [];
  for (const name of names) {
    const existing = w[name];
    if (Array.isArray(existing) && seen.indexOf(existing) < 0) {
      seen.push(existing);
      early.push(...existing);
    }
    w[name] = queue;
  }
  queue.push(...early);
})(window as unknown as Window & Record<string, unknown>, document);
