import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { Checkbox, FormError, SelectField, TextArea, TextField, useSubmit } from '../../components/Form.js';
import type { Agent, AgentBackend } from '../../types.js';
import { SecretField, type SecretState } from './SecretField.js';

type BackendType = AgentBackend['type'];
interface Rule {
  match: 'keyword' | 'regex';
  pattern: string;
  reply: string;
  caseSensitive: boolean;
}

const BACKENDS: readonly (readonly [BackendType, string])[] = [
  ['echo', 'Echo (repeats the message)'],
  ['scripted', 'Scripted (keyword and regex rules)'],
  ['webhook', 'Webhook (your URL answers)'],
  ['openai-compatible', 'OpenAI-compatible (chat completions)'],
];

const numberOrUndefined = (value: string) => (value.trim() === '' ? undefined : Number(value));

/** Create (agent null) or edit an agent and its backend; secrets are write-only. */
export function AgentForm(props: { agent: Agent | null; onSaved: (agent: Agent, signingSecret?: string) => void; onCancel: () => void }) {
  const agent = props.agent;
  const backend = agent?.backend;
  const [name, setName] = useState(agent?.name ?? '');
  const [instructions, setInstructions] = useState(agent?.instructions ?? '');
  const [intro, setIntro] = useState(agent?.introductionMessage ?? '');
  const [type, setType] = useState<BackendType>(backend?.type ?? 'echo');
  const [rules, setRules] = useState<Rule[]>(backend?.type === 'scripted' ? backend.rules : [{ match: 'keyword', pattern: '', reply: '', caseSensitive: false }]);
  const [fallback, setFallback] = useState(backend?.type === 'scripted' ? backend.fallback : '');
  const [url, setUrl] = useState(backend?.type === 'webhook' ? backend.url : '');
  const [baseUrl, setBaseUrl] = useState(backend?.type === 'openai-compatible' ? backend.baseUrl : '');
  const [model, setModel] = useState(backend?.type === 'openai-compatible' ? backend.model : '');
  const [temperature, setTemperature] = useState(backend?.type === 'openai-compatible' && backend.temperature !== undefined ? String(backend.temperature) : '');
  const [maxTokens, setMaxTokens] = useState(backend?.type === 'openai-compatible' && backend.maxTokens !== undefined ? String(backend.maxTokens) : '');
  const [timeoutMs, setTimeoutMs] = useState(backend && 'timeoutMs' in backend ? String(backend.timeoutMs) : '');
  const storedSecret = backend?.type === 'webhook' ? backend.secret : null;
  const storedKey = backend?.type === 'openai-compatible' ? backend.apiKey : null;
  const [secret, setSecret] = useState<SecretState>({ mode: 'keep', value: '' });
  const [apiKey, setApiKey] = useState<SecretState>({ mode: 'keep', value: '' });
  const submit = useSubmit();
  const field = (name: string) => submit.fields[name];
  const sameType = backend?.type === type;

  function backendBody(): Record<string, unknown> {
    const timeout = numberOrUndefined(timeoutMs);
    switch (type) {
      case 'echo':
        return { type };
      case 'scripted':
        return { type, rules, fallback };
      case 'webhook':
        return {
          type,
          url,
          ...(timeout !== undefined && { timeoutMs: timeout }),
          // Left out, the stored secret is kept (same type) or one is generated.
          ...((secret.mode === 'replace' || !sameType) && secret.value.trim() && { secret: secret.value.trim() }),
        };
      case 'openai-compatible': {
        const temp = numberOrUndefined(temperature);
        const tokens = numberOrUndefined(maxTokens);
        return {
          type,
          baseUrl,
          model,
          ...(temp !== undefined && { temperature: temp }),
          ...(tokens !== undefined && { maxTokens: tokens }),
          ...(timeout !== undefined && { timeoutMs: timeout }),
          ...(apiKey.mode === 'remove' && sameType && { apiKey: null }),
          ...((apiKey.mode === 'replace' || !sameType) && apiKey.value.trim() && { apiKey: apiKey.value.trim() }),
        };
      }
    }
  }

  async function onSubmit(event: Event) {
    event.preventDefault();
    const body = { name, instructions, introductionMessage: intro.trim() ? intro : null, backend: backendBody() };
    const saved = await submit.run(() => (agent ? api.patch<Agent & { signingSecret?: string }>(`agents/${agent.id}`, body) : api.post<Agent & { signingSecret?: string }>('agents', body)));
    if (saved) props.onSaved(saved, saved.signingSecret);
  }

  const shown = ['name', 'instructions', 'introductionMessage', 'backend', 'backend.type', 'backend.fallback', 'backend.url', 'backend.secret', 'backend.timeoutMs', 'backend.baseUrl', 'backend.model', 'backend.temperature', 'backend.maxTokens', 'backend.apiKey', 'backend.rules'];
  rules.forEach((_, index) => shown.push(`backend.rules.${index}.match`, `backend.rules.${index}.pattern`, `backend.rules.${index}.reply`));
  const updateRule = (index: number, change: Partial<Rule>) => setRules(rules.map((rule, i) => (i === index ? { ...rule, ...change } : rule)));

  return (
    <form onSubmit={onSubmit} noValidate>
      <FormError state={submit} shown={shown} />
      <TextField label="Name" name="name" value={name} onValue={setName} error={field('name')} />
      <TextArea label="Instructions" name="instructions" value={instructions} onValue={setInstructions} error={field('instructions')} hint="The system prompt of an OpenAI-compatible backend." rows={3} spellcheck />
      <TextField label="Greeting (optional)" name="introductionMessage" value={intro} onValue={setIntro} error={field('introductionMessage')} />
      <SelectField label="Backend" name="backend.type" value={type} options={BACKENDS} onValue={(value) => setType(value as BackendType)} error={field('backend.type') ?? field('backend')} />
      {type === 'scripted' && (
        <fieldset>
          <legend>Rules, first match answers</legend>
          {field('backend.rules') && <p class="field-error">{field('backend.rules')}</p>}
          {rules.map((rule, index) => (
            <fieldset key={index}>
              <legend>Rule {index + 1}</legend>
              <SelectField label="Match" name={`backend.rules.${index}.match`} value={rule.match} options={[['keyword', 'Keyword (whole word)'], ['regex', 'Regular expression (RE2)']]} onValue={(value) => updateRule(index, { match: value as Rule['match'] })} error={field(`backend.rules.${index}.match`)} />
              <TextField label="Pattern" name={`backend.rules.${index}.pattern`} value={rule.pattern} onValue={(value) => updateRule(index, { pattern: value })} error={field(`backend.rules.${index}.pattern`)} />
              <TextArea label="Reply" name={`backend.rules.${index}.reply`} value={rule.reply} onValue={(value) => updateRule(index, { reply: value })} error={field(`backend.rules.${index}.reply`)} rows={2} spellcheck />
              <Checkbox label="Case-sensitive" name={`backend.rules.${index}.caseSensitive`} checked={rule.caseSensitive} onValue={(value) => updateRule(index, { caseSensitive: value })} />
              <button type="button" class="secondary" onClick={() => setRules(rules.filter((_, i) => i !== index))} disabled={rules.length === 1}>
                Remove rule {index + 1}
              </button>
            </fieldset>
          ))}
          <button type="button" class="secondary" onClick={() => setRules([...rules, { match: 'keyword', pattern: '', reply: '', caseSensitive: false }])}>
            Add a rule
          </button>
          <TextArea label="Fallback reply" name="backend.fallback" value={fallback} onValue={setFallback} error={field('backend.fallback')} rows={2} spellcheck />
        </fieldset>
      )}
      {type === 'webhook' && (
        <fieldset>
          <legend>Webhook</legend>
          <TextField label="URL" name="backend.url" type="url" value={url} onValue={setUrl} error={field('backend.url')} hint="Each message is POSTed here, signed with Standard Webhooks." placeholder="https://example.com/hooks/switchboard" />
          <SecretField label="Signing secret" name="backend.secret" stored={sameType ? storedSecret : null} state={secret} onState={setSecret} error={field('backend.secret')} hint="whsec_… Left empty, the server generates one and shows it once." />
          <TextField label="Timeout (ms)" name="backend.timeoutMs" inputMode="numeric" value={timeoutMs} onValue={setTimeoutMs} error={field('backend.timeoutMs')} hint="1000 to 60000; 15000 when empty." />
        </fieldset>
      )}
      {type === 'openai-compatible' && (
        <fieldset>
          <legend>OpenAI-compatible</legend>
          <TextField label="Base URL" name="backend.baseUrl" type="url" value={baseUrl} onValue={setBaseUrl} error={field('backend.baseUrl')} hint="/chat/completions is appended, e.g. https://api.openai.com/v1" />
          <TextField label="Model" name="backend.model" value={model} onValue={setModel} error={field('backend.model')} />
          <SecretField label="API key" name="backend.apiKey" stored={sameType ? storedKey : null} state={apiKey} onState={setApiKey} error={field('backend.apiKey')} hint="Stored encrypted, never shown again. Optional for servers that need none." removable />
          <TextField label="Temperature (optional)" name="backend.temperature" inputMode="decimal" value={temperature} onValue={setTemperature} error={field('backend.temperature')} hint="0 to 2" />
          <TextField label="Max tokens (optional)" name="backend.maxTokens" inputMode="numeric" value={maxTokens} onValue={setMaxTokens} error={field('backend.maxTokens')} />
          <TextField label="Timeout (ms)" name="backend.timeoutMs" inputMode="numeric" value={timeoutMs} onValue={setTimeoutMs} error={field('backend.timeoutMs')} hint="1000 to 300000; 30000 when empty." />
        </fieldset>
      )}
      <div class="actions">
        <button type="submit" disabled={submit.busy}>
          {submit.busy ? 'Saving…' : agent ? 'Save agent' : 'Create agent'}
        </button>
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
