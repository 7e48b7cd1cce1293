import { useEffect, useState } from 'preact/hooks';
import { useFieldId } from '../../components/Form.js';
import { WidgetFrame } from '../../widget/WidgetFrame.js';
import { checkTheme, THEME_KEYS } from './rules.js';

/** Theme JSON checked as typed, with the real widget beside it showing the last valid theme. */
export function ThemeEditor(props: { agentId: string; text: string; onText: (text: string) => void; apiError?: string | undefined }) {
  const id = useFieldId('theme');
  const { theme, problems } = checkTheme(props.text);
  const [previewTheme, setPreviewTheme] = useState<Record<string, unknown>>(theme ?? {});
  const themeKey = theme ? JSON.stringify(theme) : null;

  // Reload the preview only once typing pauses on a valid theme.
  useEffect(() => {
    if (!theme) return;
    const timer = setTimeout(() => setPreviewTheme(theme), 700);
    return () => clearTimeout(timer);
  }, [themeKey]);

  const errors = props.apiError ? [props.apiError, ...problems] : problems;
  return (
    <div class="split">
      <div class={`field${errors.length ? ' invalid' : ''}`}>
        <label for={id}>Theme JSON</label>
        <textarea
          id={id}
          rows={12}
          spellcheck={false}
          value={props.text}
          onInput={(event) => props.onText(event.currentTarget.value)}
          aria-invalid={errors.length ? 'true' : undefined}
          aria-describedby={`${id}-hint${errors.length ? ` ${id}-error` : ''}`}
        />
        <p id={`${id}-hint`} class="hint">
          Keys: {THEME_KEYS.join(', ')}. The preview follows once the JSON is valid.
        </p>
        {errors.length > 0 && (
          <ul id={`${id}-error`} class="field-error" aria-live="polite">
            {errors.map((problem) => (
              <li>{problem}</li>
            ))}
          </ul>
        )}
      </div>
      <WidgetFrame agentId={props.agentId} title="Widget preview with this theme" theme={previewTheme} />
    </div>
  );
}
