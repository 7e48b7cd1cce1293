import { useFieldId } from '../../components/Form.js';
import { originProblems } from './rules.js';

/** One input per allowed origin, each checked as typed; the API's errors (allowedOrigins.N) win. */
export function OriginsEditor(props: { origins: string[]; onChange: (origins: string[]) => void; apiErrors: Record<string, string>; touched: boolean }) {
  const id = useFieldId('allowedOrigins');
  const problems = originProblems(props.origins);
  const listError = props.apiErrors.allowedOrigins;
  return (
    <fieldset aria-describedby={`${id}-hint`}>
      <legend>Allowed origins</legend>
      <p id={`${id}-hint`} class="hint">
        Sites that may load this widget, each exactly scheme://host[:port]: no path, no trailing slash, no wildcard.
      </p>
      {listError && <p class="field-error">{listError}</p>}
      <ul class="origins">
        {props.origins.map((origin, index) => {
          const local = props.touched || origin !== '' ? problems[index] ?? undefined : undefined;
          const error = props.apiErrors[`allowedOrigins.${index}`] ?? local;
          return (
            <li key={index}>
              <div class={`field${error ? ' invalid' : ''}`}>
                <label for={`${id}-${index}`}>Origin {index + 1}</label>
                <input
                  id={`${id}-${index}`}
                  type="url"
                  value={origin}
                  placeholder="https://www.example.com"
                  aria-invalid={error ? 'true' : undefined}
                  aria-describedby={error ? `${id}-${index}-error` : undefined}
                  onInput={(event) => props.onChange(props.origins.map((o, i) => (i === index ? event.currentTarget.value : o)))}
                />
                {error && (
                  <p id={`${id}-${index}-error`} class="field-error">
                    {error}
                  </p>
                )}
              </div>
              <button type="button" class="secondary" disabled={props.origins.length === 1} onClick={() => props.onChange(props.origins.filter((_, i) => i !== index))} aria-label={`Remove origin ${index + 1}`}>
                Remove
              </button>
            </li>
          );
        })}
      </ul>
      <button type="button" class="secondary" disabled={props.origins.length >= 50} onClick={() => props.onChange([...props.origins, ''])}>
        Add an origin
      </button>
    </fieldset>
  );
}
