/**
 * The pre-chat form through the TypeScript SDK, against a real Switchboard on both engines:
 * `client.deployments.create` and `update` carry `preChatForm`, check it before sending
 * (ValidationError naming the field), and the widget's answers end up on the contact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SwitchboardClient, ValidationError, type PreChatFormRequest } from '@switchboard/sdk';
import { ENGINES } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';

const ORIGIN = 'http://localhost:5500';
const channel = () => ({ channelIdentifier: `https://site-${Math.random().toString(36).slice(2)}.example.com` });
const FORM: PreChatFormRequest = {
  fields: [
    { key: 'name', label: 'Your name', required: true },
    { key: 'email', label: 'Email', type: 'email', required: true },
    { key: 'team_size', label: 'Team size', type: 'select', options: ['1-10', '11-50', '51+'] },
  ],
};

describe.each(ENGINES)('SDK pre-chat form on %s', (engine) => {
  let server: LiveServer;
  let client: SwitchboardClient;

  beforeAll(async () => {
    server = await startLiveServer(engine, { runtimeRateLimits: { perIp: 10_000, perToken: 10_000 } });
    client = new SwitchboardClient({ apiKey: (await server.newWorkspace()).apiKey, baseUrl: server.baseUrl });
  });
  afterAll(async () => {
    await server.close();
  });

  it('creates, reads, changes and removes a form; answers land on the contact', async () => {
    const agent = await client.agents.create({ name: 'Concierge' });
    const deployment = await client.deployments.create(agent.id, { allowedOrigins: [ORIGIN], channel: channel(), preChatForm: FORM });
    expect(deployment.preChatForm).toEqual({
      showBeforeFirstMessage: true,
      fields: [
        { key: 'name', label: 'Your name', type: 'text', required: true },
        { key: 'email', label: 'Email', type: 'email', required: true },
        { key: 'team_size', label: 'Team size', type: 'select', options: ['1-10', '11-50', '51+'], required: false },
      ],
    });
    expect((await client.deployments.get(agent.id, deployment.id)).preChatForm).toEqual(deployment.preChatForm);

    const answered = await fetch(`${server.baseUrl}/v1/public/runtime/prechat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${deployment.token}`, origin: ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ values: { name: 'Ada', email: 'ada@example.com', team_size: '11-50' } }),
    });
    expect(answered.status).toBe(201);
    const { sessionId } = ((await answered.json()) as { data: { sessionId: string } }).data;
    const contact = await client.contacts.get((await client.conversations.get(sessionId)).contactId);
    expect(contact).toMatchObject({ displayName: 'Ada', attributes: { email: 'ada@example.com', team_size: '11-50' } });

    const changed = await client.deployments.update(agent.id, deployment.id, { preChatForm: { ...FORM, title: 'Say hello', showBeforeFirstMessage: false } });
    expect(changed.preChatForm).toMatchObject({ title: 'Say hello', showBeforeFirstMessage: false });
    expect((await client.deployments.update(agent.id, deployment.id, { preChatForm: null })).preChatForm).toBeNull();
  });

  it('refuses a bad form before sending, naming the field', async () => {
    const agent = await client.agents.create({ name: 'Checked' });
    const error = await client.deployments
      .create(agent.id, { allowedOrigins: [ORIGIN], channel: channel(), preChatForm: { fields: [{ key: 'plan', label: 'Plan', type: 'select' }] } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ field: 'preChatForm.fields.0.options', message: 'is required for a select field' }]);
    const deployment = await client.deployments.create(agent.id, { allowedOrigins: [ORIGIN], channel: channel() });
    const updateError = await client.deployments.update(agent.id, deployment.id, { preChatForm: { fields: [] } }).catch((caught: unknown) => caught);
    expect(updateError).toBeInstanceOf(ValidationError);
    expect((updateError as ValidationError).issues[0]).toMatchObject({ field: 'preChatForm.fields', message: 'must list at least one field' });
  });
});
