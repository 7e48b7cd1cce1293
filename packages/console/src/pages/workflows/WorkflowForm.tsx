import { useEffect, useState } from 'preact/hooks';
import { api, type Page } from '../../api.js';
import { FormError, SelectField, TextField, useSubmit } from '../../components/Form.js';
import { DAY_NAMES, defaultRows, fromKey, fromRules, targetKey, toRules, type DayRow, type Rule, type Target } from './business-hours.js';

export interface Workflow {
  id: string;
  name: string;
  rules: Rule[];
  fallback: Target;
  updatedAt: number;
}

const ZONES: string[] = (() => {
  const supported = (Intl as unknown as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf;
  return supported ? supported('timeZone') : ['UTC', 'Europe/London', 'Europe/Paris', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo'];
})();

/** A workflow as business hours: open days and times go to one target, everything else to the fallback. */
export function WorkflowForm(props: { workflow: Workflow | null; onCancel: () => void; onSaved: (workflow: Workflow) => void }) {
  const parsed = props.workflow ? fromRules(props.workflow.rules) : null;
  const submit = useSubmit();
  const [name, setName] = useState(props.workflow?.name ?? '');
  const [timeZone, setTimeZone] = useState(parsed?.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [rows, setRows] = useState<DayRow[]>(parsed?.rows ?? defaultRows());
  const [open, setOpen] = useState(targetKey(parsed?.open ?? null));
  const [closed, setClosed] = useState(targetKey(props.workflow?.fallback ?? null));
  const [targets, setTargets] = useState<(readonly [string, string])[]>([]);
  const custom = props.workflow && !parsed;

  useEffect(() => {
    const query = { page: 1, pageSize: 100 };
    void Promise.all([api.get<Page<{ id: string; name: string }>>('agents', { query }), api.get<Page<{ id: string; name: string }>>('teams', { query })]).then(
      ([agents, teams]) =>
        setTargets([...agents.data.map((a) => [`agent:${a.id}`, `Agent: ${a.name}`] as const), ...teams.data.map((t) => [`team:${t.id}`, `Team: ${t.name}`] as const)]),
      () => setTargets([]),
    );
  }, []);

  async function save(event: Event) {
    event.preventDefault();
    const openTarget = fromKey(open);
    const body = {
      name,
      rules: custom ? props.workflow!.rules : toRules(rows, timeZone, openTarget ?? ({} as Target)),
      fallback: fromKey(closed) ?? {},
    };
    const saved = await submit.run(() => (props.workflow ? api.patch<Workflow>(`workflows/${props.workflow.id}`, body) : api.post<Workflow>('workflows', body)));
    if (saved) props.onSaved(saved);
  }

  const fieldOf = (suffix: string) => Object.entries(submit.fields).find(([field]) => field.endsWith(suffix))?.[1];
  const choices = [['', 'Choose…'] as const, ...targets];
  return (
    <form onSubmit={(event) => void save(event)} noValidate>
      <FormError state={submit} shown={Object.keys(submit.fields).filter((field) => /^(name|fallback)|businessHours\.|\.then$/.test(field))} />
      <TextField label="Name" name="name" value={name} onValue={setName} error={submit.fields.name} />
      {custom ? (
        <p class="notice">This workflow has rules beyond business hours (keywords, languages…); edit them through the API. Name and fallback can be changed here.</p>
      ) : (
        <>
          <SelectField label="Time zone" name="timeZone" value={timeZone} options={(ZONES.includes(timeZone) ? ZONES : [timeZone, ...ZONES]).map((zone) => [zone, zone] as const)} onValue={setTimeZone} error={fieldOf('businessHours.timeZone')} />
          <table class="hours">
            <caption>Opening hours</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Open</th>
                <th scope="col">Opens</th>
                <th scope="col">Closes</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => {
                const update = (change: Partial<DayRow>) => setRows(rows.map((entry, n) => (n === index ? { ...entry, ...change } : entry)));
                return (
                  <tr key={row.day}>
                    <th scope="row">{DAY_NAMES[row.day]}</th>
                    <td>
                      <input type="checkbox" checked={row.open} aria-label={`Open on ${DAY_NAMES[row.day]}`} onChange={(event) => update({ open: event.currentTarget.checked })} />
                    </td>
                    <td>
                      <input type="time" value={row.start} disabled={!row.open} aria-label={`${DAY_NAMES[row.day]} opens at`} onInput={(event) => update({ start: event.currentTarget.value })} />
                    </td>
                    <td>
                      <input type="time" value={row.end} disabled={!row.open} aria-label={`${DAY_NAMES[row.day]} closes at`} onInput={(event) => update({ end: event.currentTarget.value })} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {(fieldOf('businessHours.start') || fieldOf('businessHours.end') || fieldOf('businessHours.days')) && (
            <p class="field-error" role="alert">
              Hours: {fieldOf('businessHours.start') ?? fieldOf('businessHours.end') ?? fieldOf('businessHours.days')}
            </p>
          )}
          <SelectField label="While open, conversations go to" name="open" value={open} options={choices} onValue={setOpen} error={fieldOf('.then')} />
        </>
      )}
      <SelectField
        label={custom ? 'Fallback' : 'While closed (and on closed days), conversations go to'}
        name="fallback"
        value={closed}
        options={choices}
        onValue={setClosed}
        error={fieldOf('fallback') ?? undefined}
      />
      <div class="actions">
        <button type="submit" disabled={submit.busy}>
          Save workflow
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
