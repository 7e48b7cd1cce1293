/**
 * Parts of the widget loaded on first use: src/chunks/<name>.ts is built to dist/chunks/<name>.js
 * and served as GET /embed/v1/chunks/<name>.js, next to widget.js. `loadChunk(name)` injects it once
 * with a <script> (through the Trusted Types policy `switchboard`) and resolves with what the chunk
 * registered with `registerChunk(name, api)` (chunk-registry.ts). A failed load rejects, and the next call tries again.
 */
import { chunkRegistry as registry } from './chunk-registry.js';

type ScriptUrl = (url: string) => unknown;

const w = window as unknown as Record<string, unknown>;

const here = ((document.currentScript as HTMLScriptElement | null) || { src: '' }).src;
let base = here ? here.replace(/widget\.js(?=[?#]|$)/, '').replace(/[?#].*$/, '') : '';
/** Where chunks come from when widget.js was not loaded from a script URL: `{apiUrl}/embed/v1/`. */
export function setChunkBase(apiUrl: string): void {
  if (!here) base = `${apiUrl.replace(/\/+$/, '')}/embed/v1/`;
}

let ownPolicy: ScriptUrl | null | undefined;
/**
 * A script URL a Trusted Types page accepts. The loader created the policy `switchboard` (a name
 * can be created only once) and shares it as `SwitchboardQueue._url`; without the loader the
 * widget creates it here, once.
 */
function scriptUrl(url: string): unknown {
  const queue = w.SwitchboardQueue as { _url?: ScriptUrl } | undefined;
  if (queue && typeof queue._url === 'function') return queue._url(url);
  const tt = w.trustedTypes as { createPolicy(name: string, rules: { createScriptURL(url: string): string }): { createScriptURL(url: string): unknown } } | undefined;
  if (ownPolicy === undefined && tt) {
    try {
      const policy = tt.createPolicy('switchboard', {
        createScriptURL: (value) => {
          if (!/^https?:\/\//i.test(new URL(value, location.href).href)) throw new TypeError(`not an http(s) script URL: ${value}`);
          return value;
        },
      });
      ownPolicy = (value) => policy.createScriptURL(value);
    } catch {
      ownPolicy = null; // the page's CSP does not allow the policy `switchboard`
    }
  }
  return ownPolicy ? ownPolicy(url) : url;
}

const loading: Record<string, Promise<unknown>> = {};

export function loadChunk<T>(name: string): Promise<T> {
  const known = registry()[name];
  if (known) return Promise.resolve(known as T);
  if (!loading[name]) {
    const url = `${base}chunks/${name}.js`;
    loading[name] = new Promise<unknown>((resolve, reject) => {
      const script = document.createElement('script');
      const failed = (why: string) => {
        delete loading[name]; // the next call tries again
        script.remove();
        reject(new Error(`[switchboard] could not load ${url}${why}`));
      };
      script.async = true;
      script.onload = () => {
        const api = registry()[name];
        if (api) resolve(api);
        else failed(': it did not register itself');
      };
      script.onerror = () => failed('');
      try {
        (script as { src: unknown }).src = scriptUrl(url);
      } catch (error) {
        return failed(`: ${error}`);
      }
      (document.head || document.documentElement).appendChild(script);
    });
  }
  return loading[name] as Promise<T>;
}
