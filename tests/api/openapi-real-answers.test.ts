/**
 * The hand-written schemas of the document (the widget runtime, the channel service) describe
 * what the server really answers: real answers of a running app, on each engine, are checked
 * against the schema the document gives for that operation and status.
 */
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { useDocumentedAnswers } from './documented-answers.js';

const ORIGIN = 'https://www.example.com';

describe.each(ENGINES)('OpenAPI schemas match real answers (%s)', (engine) => {
  const documented = useDocumentedAnswers(engine);
  const { answered, checked } = documented;

  it('the widget runtime', async () => {
    const agent = (await documented.t.request('POST', '/v1/agents', { name: 'Concierge', introductionMessage: 'Hi!' })).body.data;
    const deployment = (await documented.t.request('POST', `/v1/agents/${agent.id}/deployments`, { allowedOrigins: [ORIGIN], channel: { channelIdentifier: ORIGIN } })).body.data;
    expect(deployment.token).toMatch(/^cdp_/);
    const widget = { authorization: `Bearer ${deployment.token}`, origin: ORIGIN };
    const base = '/v1/public/runtime';
    await answered('GET', `${base}/config`, `${base}/config`, undefined, widget);
    await answered('GET', `${base}/config`, `${base}/config`, undefined, { ...widget, origin: 'https://elsewhere.example.com' });
    await answered('GET', `${base}/config`, `${base}/config`, undefined, { ...widget, authorization: 'Bearer cdp_unknown' });
    await answered('GET', `${base}/origin-check`, `${base}/origin-check?tokenPrefix=${deployment.tokenPrefix}`, undefined, { authorization: '', origin: 'http://localhost:5501' });
    const started = await answered('POST', `${base}/sessions`, `${base}/sessions`, { locale: 'en' }, widget);
    expect(started.status).toBe(201);
    const { sessionId, visitorToken } = started.body.data;
    const resumed = await answered('POST', `${base}/sessions`, `${base}/sessions`, { visitorToken }, widget);
    expect(resumed.status).toBe(200);
    await answered('POST', `${base}/sessions`, `${base}/sessions`, { surprise: 1 }, widget);
    const visitor = { ...widget, 'x-visitor-token': visitorToken };
    const messages = `${base}/sessions/{sessionId}/messages`;
    await answered('POST', messages, `${base}/sessions/${sessionId}/messages`, { text: 'Where is my order?', clientMessageId: 'c-1' }, visitor);
    const again = await answered('POST', messages, `${base}/sessions/${sessionId}/messages`, { text: 'Where is my order?', clientMessageId: 'c-1' }, visitor);
    expect(again.body.data.duplicate).toBe(true);
    await answered('POST', messages, `${base}/sessions/${sessionId}/messages`, { text: '' }, visitor);
    await expect.poll(async () => (await documented.t.request('GET', `${base}/sessions/${sessionId}/messages`, undefined, visitor)).body.data.length).toBe(2);
    await answered('GET', messages, `${base}/sessions/${sessionId}/messages`, undefined, visitor);
    await answered('GET', messages, `${base}/sessions/${sessionId}/messages`, undefined, { ...visitor, 'x-visitor-token': 'vt_wrong' });
  });

  it('the channel service', async () => {
    const key = { 'x-api-key': documented.t.apiKey, authorization: '' };
    const cs = '/channel-service';
    const web = await answered('POST', `${cs}/v1/channels/_web`, `${cs}/v1/channels/_web`, { name: 'Docs site', url: 'https://docs.example.com' }, key);
    expect(web.status).toBe(201);
    const id = web.body.id;
    await answered('POST', `${cs}/v1/channels/_web`, `${cs}/v1/channels/_web`, { url: 'x' }, key);
    await answered('GET', `${cs}/v1/channels`, `${cs}/v1/channels`, undefined, key);
    await answered('GET', `${cs}/v1/channels`, `${cs}/v1/channels`, undefined, { 'x-api-key': 'sb_nope', authorization: '' });
    await answered('GET', `${cs}/v1/channels/{id}`, `${cs}/v1/channels/${id}`, undefined, key);
    await answered('GET', `${cs}/v1/channels/{id}`, `${cs}/v1/channels/chan_nope`, undefined, key);
    await answered('PUT', `${cs}/v1/channels/{id}`, `${cs}/v1/channels/${id}`, { name: 'Docs', active: false }, key);
    await answered('POST', `${cs}/v1/channels/_replace`, `${cs}/v1/channels/_replace`, { channel_id: id, name: 'Docs site' }, key);
    await answered('GET', `${cs}/v1/channels/_count`, `${cs}/v1/channels/_count`, undefined, key);
    await answered('GET', `${cs}/v1/channels/_conv_count`, `${cs}/v1/channels/_conv_count`, undefined, key);
    const team = (await documented.t.request('POST', '/v1/teams', { name: 'Support' })).body.data;
    await documented.t.request('POST', `/v1/teams/${team.id}/members`, { name: 'Ada', email: 'ada@example.com' });
    await documented.t.request('POST', `/v1/teams/${team.id}/observers`, { name: 'Grace', email: 'grace@example.com' });
    await answered('GET', `${cs}/v1/assign/teams/all`, `${cs}/v1/assign/teams/all`, undefined, key);
    await answered('GET', `${cs}/v1/assign/team/{id}/observers`, `${cs}/v1/assign/team/${team.id}/observers`, undefined, key);
    const workflow = (await documented.t.request('POST', '/v1/workflows', { name: 'Route', fallback: { teamId: team.id } })).body.data;
    await answered('PUT', `${cs}/v1/channels/workflows/{id}`, `${cs}/v1/channels/workflows/${workflow.id}`, { channel_id: id }, key);
    await answered('DELETE', `${cs}/v1/channels/workflows/{id}`, `${cs}/v1/channels/workflows/${id}`, undefined, key);
    await answered('DELETE', `${cs}/v1/channels/{id}`, `${cs}/v1/channels/${id}`, undefined, key);
  });

  it('operations', async () => {
    await answered('GET', '/health', '/health');
    await answered('GET', '/ready', '/ready');
    await answered('GET', '/', '/', undefined, { accept: 'application/json' });
    expect(checked.length).toBeGreaterThanOrEqual(30);
  });
});
