/**
 * The OpenAPI document describes what the pre-chat form's endpoints really answer: a deployment
 * with a form, GET …/config carrying it, and POST …/prechat's 201, 200, 400 and 409, checked
 * against the documented schema of each status on both engines.
 */
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { useDocumentedAnswers } from './documented-answers.js';

const ORIGIN = 'https://www.example.com';

describe.each(ENGINES)('OpenAPI schemas match the pre-chat answers (%s)', (engine) => {
  const documented = useDocumentedAnswers(engine);
  const { answered } = documented;

  it('deployments, config and submissions', async () => {
    const agent = (await documented.t.request('POST', '/v1/agents', { name: 'Concierge' })).body.data;
    const form = { fields: [{ key: 'name', label: 'Name', required: true }, { key: 'plan', label: 'Plan', type: 'select', options: ['Free', 'Pro'] }] };
    const deployments = '/v1/agents/{agentId}/deployments';
    const created = await answered('POST', deployments, `/v1/agents/${agent.id}/deployments`, { allowedOrigins: [ORIGIN], channel: { channelIdentifier: ORIGIN }, preChatForm: form });
    expect(created.status).toBe(201);
    const deployment = created.body.data;
    const refusedForm = await answered('PATCH', `${deployments}/{id}`, `/v1/agents/${agent.id}/deployments/${deployment.id}`, { preChatForm: { fields: [] } });
    expect(refusedForm.status).toBe(400);

    const widget = { authorization: `Bearer ${deployment.token}`, origin: ORIGIN };
    const base = '/v1/public/runtime';
    const config = await answered('GET', `${base}/config`, `${base}/config`, undefined, widget);
    expect(config.body.data.widget.preChatForm.fields).toHaveLength(2);
    const invalid = await answered('POST', `${base}/prechat`, `${base}/prechat`, { values: { plan: 'Gold' } }, widget);
    expect(invalid.status).toBe(400);
    const started = await answered('POST', `${base}/prechat`, `${base}/prechat`, { values: { name: 'Ada', plan: 'Pro' } }, widget);
    expect(started.status).toBe(201);
    const resumed = await answered('POST', `${base}/prechat`, `${base}/prechat`, { values: { name: 'Ada' }, visitorToken: started.body.data.visitorToken }, widget);
    expect(resumed.status).toBe(200);
    const session = await answered('POST', `${base}/sessions`, `${base}/sessions`, { visitorToken: started.body.data.visitorToken }, widget);
    expect(session.body.data.widget.preChatForm).toEqual(config.body.data.widget.preChatForm);

    await answered('PATCH', `${deployments}/{id}`, `/v1/agents/${agent.id}/deployments/${deployment.id}`, { preChatForm: null });
    const none = await answered('POST', `${base}/prechat`, `${base}/prechat`, { values: { name: 'Ada' } }, widget);
    expect(none.status).toBe(409);
    expect((await answered('GET', `${base}/config`, `${base}/config`, undefined, widget)).body.data.widget.preChatForm).toBeNull();
  });
});
