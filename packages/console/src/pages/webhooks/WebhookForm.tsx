import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { Checkbox, FormError, TextField, useSubmit } from '../../components/Form.js';

export interface Subscription {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  active: boolean;
  secretMask: string;
}

export const EVENT_TYPES = ['conversation.created', 'message.created', 'handoff.requested', 'handoff.accepted', 'delivery.failed'];

export function WebhookForm(props: { onCancel: () => void; onSaved: (secret: string) => void }) {
  const submit = useSubmit();
  const [url, setUrl] = useState('');
  const [all, setAll] = useState(true);
  const [events, setEvents] = useState<string[]>([]);

  async function save(event: Event) {
    event.preventDefault();
    const issued = await submit.run(() => api.post<{ secret: string }>('webhooks', { url, events: all ? ['*'] : events }));
    if (issued) props.onSaved(issued.secret);
  }

  return (
    <form onSubmit={(event) => void save(event)} noValidate>
      <FormError state={submit} shown={['url', 'events']} />
      <TextField label="URL" name="url" type="url" value={url} onValue={setUrl} error={submit.fields.url} hint="Where events are POSTed (HTTPS in production)." />
      <fieldset aria-describedby={submit.fields.events ? 'events-error' : undefined}>
        <legend>Event types</legend>
        <Checkbox label="All events, including future ones" name="all" checked={all} onValue={setAll} />
        {!all &&
          EVENT_TYPES.map((type) => (
            <Checkbox key={type} label={type} name={`event-${type}`} checked={events.includes(type)} onValue={(on) => setEvents(on ? [...events, type] : events.filter((e) => e !== type))} />
          ))}
        {submit.fields.events && (
          <p id="events-error" class="field-error">
            {submit.fields.events}
          </p>
        )}
      </fieldset>
      <div class="actions">
        <button type="submit" disabled={submit.busy}>
          Create webhook
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
