import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../api.js';
import { previewUrl, tryItToken } from './try-it.js';

/** The real widget, talking to the agent, in a frame of this console's origin. */
export function WidgetFrame(props: { agentId: string; title: string; theme?: Record<string, unknown> }) {
  const [token, setToken] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    setError(null);
    tryItToken(props.agentId).then(
      (stored) => setToken(stored.token),
      (failure) => setError(errorMessage(failure)),
    );
  }, [props.agentId, attempt]);

  if (error) {
    return (
      <div role="alert" class="notice error">
        <p>The chat could not start: {error}</p>
        <button type="button" onClick={() => setAttempt((n) => n + 1)}>
          Retry
        </button>
      </div>
    );
  }
  if (!token) return <div class="preview-frame skeleton-row" aria-busy="true" aria-label="Starting the chat" />;
  // A new key (theme change) reloads the frame, so the widget starts with the new theme.
  const src = previewUrl({ agentId: props.agentId, token, ...(props.theme && { theme: props.theme }) });
  return <iframe key={src} class="preview-frame" title={props.title} src={src} />;
}
