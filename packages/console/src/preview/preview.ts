/**
 * The page the console frames to show the real widget: /console/preview.html#<json>, where the
 * JSON gives agentId, token and an optional theme. The token rides in the fragment, which the
 * browser never sends to the server.
 */
interface PreviewOptions {
  agentId: string;
  token: string;
  theme?: Record<string, unknown>;
  open?: boolean;
}

type Queue = unknown[][] & { push: (command: unknown[]) => void };

function read(): PreviewOptions | null {
  try {
    const parsed = JSON.parse(decodeURIComponent(location.hash.slice(1))) as PreviewOptions;
    return typeof parsed.agentId === 'string' && typeof parsed.token === 'string' ? parsed : null;
  } catch {
    return null;
  }
}

const options = read();
const statusLine = document.getElementById('preview-status');
if (!options) {
  if (statusLine) statusLine.textContent = 'Nothing to preview: open this page from an agent in the console.';
} else {
  const global = window as unknown as { SwitchboardQueue?: Queue };
  global.SwitchboardQueue = global.SwitchboardQueue ?? ([] as unknown as Queue);
  global.SwitchboardQueue.push([
    'init',
    { agentId: options.agentId, token: options.token, channel: 'web', apiUrl: location.origin, open: options.open ?? true, ...(options.theme && { theme: options.theme }) },
  ]);
  const script = document.createElement('script');
  script.src = '/embed/v1.js';
  document.body.appendChild(script);
}
export {};
