/**
 * The chat widget, served as GET /embed/v1/widget.js and injected by the loader on the first
 * `init`. It takes over the loader's queue: every command pushed so far runs now, later ones at once.
 *
 *   ['init', { token, agentId?, channel: 'web', apiUrl?, theme?: {…}, open?: boolean }]
 *   ['open'] · ['close'] · ['toggle'] · ['destroy']
 *   ['identify', { userId?, userHash?, name?, email?, attributes? }] · ['track', event, data?] · ['logout']
 *   ['on' | 'off', 'open' | 'close' | 'message' | 'unread', fn]
 */
import { mountWidget, type WidgetHandle } from './widget.js';
import type { InitOptions } from './types.js';
import { subscribe } from './events.js';

type Command = [string, unknown?, unknown?];
const w = window as unknown as Record<string, unknown>;
const scriptSrc = ((document.currentScript as HTMLScriptElement | null) || { src: '' }).src;
const warn = (message: string) => console.warn(`[switchboard] ${message}`);

if (!w.__switchboardWidget) {
  w.__switchboardWidget = 1;
  let widget: WidgetHandle | null = null;
  let wantOpen = false;
  /** identify, track and logout pushed before init: run once the widget runs. */
  const held: Command[] = [];

  const run = (command: unknown) => {
    if (!Array.isArray(command)) return warn("commands are arrays, like ['init', { token: 'cdp_…' }]");
    const [name, arg, extra] = command as Command;
    if (name === 'init') {
      const options = arg as InitOptions | undefined;
      if (widget) return warn("init ignored: the widget is already running (push ['destroy'] first)");
      if (!options || typeof options.token !== 'string' || !options.token) {
        return warn("init needs the deployment's token: ['init', { token: 'cdp_…' }]");
      }
      if (options.channel && options.channel !== 'web') warn(`channel '${options.channel}' is not 'web'; using the web runtime`);
      const mounted = mountWidget(options, scriptSrc, () => {
        if (widget === mounted) widget = null;
      });
      widget = mounted;
      if (wantOpen) mounted.open();
      wantOpen = false;
      held.splice(0).forEach(run);
    } else if (name === 'open') {
      if (widget) widget.open();
      else wantOpen = true;
    } else if (name === 'close') {
      if (widget) widget.close();
      wantOpen = false;
    } else if (name === 'toggle') {
      if (widget) widget.toggle();
      else wantOpen = !wantOpen;
    } else if (name === 'identify' || name === 'track' || name === 'logout') {
      if (widget) (widget[name] as (a?: unknown, b?: unknown) => void)(arg, extra);
      else held.push(command as Command);
    } else if (name === 'on' || name === 'off') {
      subscribe(name === 'on', arg, extra);
    } else if (name === 'destroy') {
      if (widget) widget.destroy();
      wantOpen = false;
    } else {
      warn(`unknown command ${String(name)}`);
    }
  };

  const queue = w.SwitchboardQueue as { _attach?: (handler: (command: unknown) => void) => void } | undefined;
  if (queue && typeof queue._attach === 'function') {
    queue._attach(run);
  } else {
    // Loaded without the loader: take over (and drain) the queue arrays ourselves.
    const early: unknown[] = [];
    for (const name of ['SwitchboardQueue', 'ConvoshipQueue']) {
      const existing = w[name];
      if (Array.isArray(existing) && early.indexOf(existing) < 0) early.push(existing);
    }
    const direct = { push: (...commands: unknown[]) => (commands.forEach(run), 0) };
    w.SwitchboardQueue = w.ConvoshipQueue = direct;
    for (const list of early) (list as unknown[]).forEach(run);
  }
}
