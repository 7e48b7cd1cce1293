import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { ApiFailure } from '../api.js';

export interface SubmitState {
  busy: boolean;
  /** The failure's message, shown at the top of the form. */
  error: string | null;
  /** Field name (the API's path, e.g. `backend.url`) → message, shown at the field. */
  fields: Record<string, string>;
}

/** Runs a form's request once at a time and keeps its failure, split into message and field errors. */
export function useSubmit() {
  const [state, setState] = useState<SubmitState>({ busy: false, error: null, fields: {} });
  async function run<T>(work: () => Promise<T>): Promise<T | undefined> {
    if (state.busy) return undefined;
    setState({ busy: true, error: null, fields: {} });
    try {
      const result = await work();
      setState({ busy: false, error: null, fields: {} });
      return result;
    } catch (error) {
      if (error instanceof ApiFailure) setState({ busy: false, error: error.message, fields: error.fields });
      else setState({ busy: false, error: error instanceof Error ? error.message : String(error), fields: {} });
      return undefined;
    }
  }
  const setFields = (fields: Record<string, string>, error: string | null = null) => setState({ busy: false, error, fields });
  return { ...state, run, setFields };
}

/**
 * The form's message at the top (role=alert), with any field errors the form has no field for
 * (`shown` lists the names it does show at a field).
 */
export function FormError(props: { state: SubmitState; shown: string[] }) {
  const { error, fields } = props.state;
  const others = Object.entries(fields).filter(([name]) => !props.shown.includes(name));
  if (!error && others.length === 0) return null;
  return (
    <div role="alert" class="notice error">
      {error && <p>{error}</p>}
      {others.length > 0 && (
        <ul>
          {others.map(([name, message]) => (
            <li key={name}>
              {name ? <code>{name}</code> : null} {message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

let counter = 0;
const fieldId = (name: string) => `f-${name.replace(/[^\w-]/g, '-')}-${++counter}`;

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'label' | 'onInput' | 'value' | 'name'>;

export function useFieldId(name: string): string {
  const [id] = useState(() => fieldId(name));
  return id;
}

/** A labelled control with its hint and its error tied to it (aria-describedby, aria-invalid). */
export function Field(props: {
  label: string;
  name: string;
  error?: string | undefined;
  hint?: ComponentChildren;
  children: (attributes: { id: string; name: string; 'aria-describedby'?: string; 'aria-invalid'?: 'true' }) => ComponentChildren;
}) {
  const id = useFieldId(props.name);
  const described = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={`field${props.error ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children({ id, name: props.name, ...(described && { 'aria-describedby': described }), ...(props.error && { 'aria-invalid': 'true' as const }) })}
      {props.hint && (
        <p id={`${id}-hint`} class="hint">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={`${id}-error`} class="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}

export function TextField(
  props: InputProps & { label: string; name: string; value: string; onValue: (value: string) => void; error?: string | undefined; hint?: ComponentChildren },
) {
  const { label, name, value, onValue, error, hint, ...rest } = props;
  return (
    <Field label={label} name={name} error={error} hint={hint}>
      {(attributes) => <input {...rest} {...attributes} value={value} onInput={(event) => onValue(event.currentTarget.value)} />}
    </Field>
  );
}

export function TextArea(props: {
  label: string;
  name: string;
  value: string;
  onValue: (value: string) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
  rows?: number;
  spellcheck?: boolean;
}) {
  return (
    <Field label={props.label} name={props.name} error={props.error} hint={props.hint}>
      {(attributes) => (
        <textarea {...attributes} rows={props.rows ?? 4} spellcheck={props.spellcheck} value={props.value} onInput={(event) => props.onValue(event.currentTarget.value)} />
      )}
    </Field>
  );
}

export function SelectField(props: {
  label: string;
  name: string;
  value: string;
  options: readonly (readonly [string, string])[];
  onValue: (value: string) => void;
  error?: string | undefined;
  hint?: ComponentChildren;
}) {
  return (
    <Field label={props.label} name={props.name} error={props.error} hint={props.hint}>
      {(attributes) => (
        <select {...attributes} value={props.value} onChange={(event) => props.onValue(event.currentTarget.value)}>
          {props.options.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function Checkbox(props: { label: string; name: string; checked: boolean; onValue: (value: boolean) => void; hint?: string }) {
  const id = useFieldId(props.name);
  return (
    <div class="field checkbox">
      <input type="checkbox" id={id} name={props.name} checked={props.checked} onChange={(event) => props.onValue(event.currentTarget.checked)} {...(props.hint && { 'aria-describedby': `${id}-hint` })} />
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p id={`${id}-hint`} class="hint">
          {props.hint}
        </p>
      )}
    </div>
  );
}
