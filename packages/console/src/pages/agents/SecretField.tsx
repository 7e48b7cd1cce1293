import { TextField } from '../../components/Form.js';
import type { SecretView } from '../../types.js';

export interface SecretState {
  /** keep the stored value, replace it with `value`, or remove it. */
  mode: 'keep' | 'replace' | 'remove';
  value: string;
}

/**
 * A write-only secret: a stored value is shown as "set" with its mask and a Replace button, never
 * filled in; typing a new one replaces it.
 */
export function SecretField(props: {
  label: string;
  name: string;
  stored: SecretView | null;
  state: SecretState;
  onState: (state: SecretState) => void;
  error?: string | undefined;
  hint?: string;
  removable?: boolean;
}) {
  if (props.stored && props.state.mode !== 'replace') {
    return (
      <div class="field">
        <span class="label-text">
          <strong>{props.label}</strong>:{' '}
          {props.state.mode === 'remove' ? (
            'will be removed on save'
          ) : (
            <>
              set <span class="mono">({props.stored.mask})</span>
            </>
          )}
        </span>{' '}
        <button type="button" class="secondary" onClick={() => props.onState({ mode: 'replace', value: '' })}>
          Replace {props.label.toLowerCase()}
        </button>{' '}
        {props.removable && props.state.mode !== 'remove' && (
          <button type="button" class="secondary" onClick={() => props.onState({ mode: 'remove', value: '' })}>
            Remove {props.label.toLowerCase()}
          </button>
        )}
        {props.error && <p class="field-error">{props.error}</p>}
      </div>
    );
  }
  return (
    <TextField
      label={props.stored ? `New ${props.label.toLowerCase()}` : `${props.label} (optional)`}
      name={props.name}
      type="password"
      autoComplete="off"
      value={props.state.value}
      onValue={(value) => props.onState({ mode: 'replace', value })}
      error={props.error}
      hint={props.hint}
    />
  );
}
