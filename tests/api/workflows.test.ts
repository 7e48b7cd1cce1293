import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateWorkflow, workflowForChannel } from '@switchboard/server';
import { ENGINES } from '../helpers/engines.js';
import type { TestApp } from '../helpers/app.js';
import { createRoutingTestApp } from '../helpers/routing-app.js';

const base = '/v1/workflows';
let identifiers = 0;

describe.each(ENGINES)('workflows API on %s', (engine) => {
  let t: TestApp;
  let agentId: string;
  let nightAgentId: string;
  let teamId: string;
  beforeAll(async () => {
    t = await createRoutingTestApp(engine);
    agentId = (await t.request('POST', '/v1/agents', { name: 'Bot' })).body.data.id;
    nightAgentId = (await t.request('POST', '/v1/agents', { name: 'Night bot' })).body.data.id;
    teamId = (await t.request('POST', '/v1/teams', { name: 'Support' })).body.data.id;
  });
  afterAll(async () => {
    await t.close();
  });

  const as = (apiKey: string) => ({ authorization: `Bearer ${apiKey}` });
  const officeHours = (overrides: Record<string, unknown> = {}) => ({
    timeZone: 'America/New_York',
    days: ['mon', 'tue', 'wed', 'thu', 'fri'],
    start: '09:00',
    end: '17:00',
    ...overrides,
  });

  async function createWorkflow(body: Record<string, unknown>, headers?: Record<string, string>) {
    const response = await t.request('POST', base, body, headers);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.data as { id: string; name: string; rules: any[]; fallback: any; createdAt: number; updatedAt: number };
  }

  async function createChannel(headers?: Record<string, string>) {
    const response = await t.request(
      'POST',
      '/v1/deployment-channels',
      { channelIdentifier: `https://workflows-${++identifiers}.example.com`, deploymentType: 'web' },
      headers,
    );
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.data.id as string;
  }

  it('creates a workflow, normalising what it stores', async () => {
    const before = Date.now();
    const workflow = await createWorkflow({
      name: 'Support routing',
      rules: [
        { name: 'office hours', when: { businessHours: officeHours({ timeZone: 'america/new_york', days: ['fri', 'mon', 'mon'] }) }, then: { teamId } },
        { when: { keywords: [' refund '], regex: '^order\\s+\\d+', languages: ['EN', 'fr'], attribute: { name: 'plan', equals: 'pro' } }, then: { agentId } },
        { then: { agentId: nightAgentId } },
      ],
      fallback: { agentId },
    });
    expect(workflow).toEqual({
      id: expect.stringMatching(/^wf_[A-Za-z0-9]{16}$/),
      name: 'Support routing',
      rules: [
        {
          name: 'office hours',
          when: { businessHours: { timeZone: 'America/New_York', days: ['mon', 'fri'], start: '09:00', end: '17:00', inside: true } },
          then: { teamId },
        },
        {
          when: { keywords: ['refund'], regex: '^order\\s+\\d+', languages: ['en', 'fr'], attribute: { name: 'plan', equals: 'pro' } },
          then: { agentId },
        },
        { when: {}, then: { agentId: nightAgentId } },
      ],
      fallback: { agentId },
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number),
    });
    expect(workflow.createdAt).toBeGreaterThanOrEqual(before);
    const fetched = await t.request('GET', `${base}/${workflow.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.data).toEqual(workflow);
    const noRules = await createWorkflow({ name: 'Everyone to the team', fallback: { teamId } });
    expect(noRules.rules).toEqual([]);
  });

  it('rejects invalid rules with field paths, changing nothing', async () => {
    const before = await t.snapshot();
    const reject = async (body: Record<string, unknown>) => {
      const response = await t.request('POST', base, { name: 'Bad', fallback: { agentId }, ...body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.code).toBe('VALIDATION_ERROR');
      return response.body.error.details as { field: string; message: string }[];
    };
    const rule = (when: Record<string, unknown>) => ({ rules: [{ when, then: { teamId } }] });

    expect(await reject(rule({ businessHours: officeHours({ timeZone: 'Mars/Olympus_Mons' }) }))).toEqual([
      { field: 'rules.0.when.businessHours.timeZone', message: 'must be an IANA time zone such as America/New_York or Europe/Paris' },
    ]);
    expect(await reject(rule({ businessHours: officeHours({ start: '9:00' }) }))).toEqual([
      { field: 'rules.0.when.businessHours.start', message: 'must be a time HH:MM from 00:00 to 23:59' },
    ]);
    expect((await reject(rule({ businessHours: officeHours({ end: '24:30' }) })))[0]!.field).toBe('rules.0.when.businessHours.end');
    expect((await reject(rule({ businessHours: officeHours({ start: '25:00' }) })))[0]!.field).toBe('rules.0.when.businessHours.start');
    expect(await reject(rule({ businessHours: officeHours({ days: [] }) }))).toEqual([
      { field: 'rules.0.when.businessHours.days', message: 'must name at least one day' },
    ]);
    expect((await reject(rule({ businessHours: officeHours({ days: ['monday'] }) })))[0]!.field).toBe('rules.0.when.businessHours.days.0');
    expect((await reject(rule({ businessHours: officeHours({ start: '09:00', end: '09:00' }) })))[0]!.field).toBe('rules.0.when.businessHours.end');
    expect((await reject(rule({ businessHours: officeHours({ inside: 'yes' }) })))[0]!.field).toBe('rules.0.when.businessHours.inside');

    const badRegex = await reject({ rules: [{ when: { regex: 'fine' }, then: { teamId } }, { when: { regex: '(unclosed' }, then: { agentId } }] });
    expect(badRegex).toHaveLength(1);
    expect(badRegex[0]!.field).toBe('rules.1.when.regex');
    expect(badRegex[0]!.message).toMatch(/^must be a valid regular expression/);

    expect((await reject(rule({ keywords: [] })))[0]!.field).toBe('rules.0.when.keywords');
    expect((await reject(rule({ keywords: ['  '] })))[0]!.field).toBe('rules.0.when.keywords.0');
    expect((await reject(rule({ languages: ['english'] })))[0]).toEqual({
      field: 'rules.0.when.languages.0',
      message: 'must be a BCP-47 primary language subtag such as en or fr',
    });
    expect((await reject(rule({ attribute: { name: 'plan' } })))[0]!.field).toBe('rules.0.when.attribute.equals');
    expect((await reject(rule({ weather: 'sunny' })))[0]).toEqual({ field: 'rules.0.when', message: 'Unknown field: weather' });

    expect(await reject({ rules: [{ when: {}, then: {} }] })).toEqual([{ field: 'rules.0.then', message: 'must name an agentId or a teamId' }]);
    expect(await reject({ rules: [{ then: { agentId, teamId } }] })).toEqual([
      { field: 'rules.0.then', message: 'must name either agentId or teamId, not both' },
    ]);
    expect(await reject({ rules: [{ when: {} }] })).toEqual([{ field: 'rules.0.then', message: 'Required' }]);
    expect(await reject({ fallback: undefined })).toEqual([{ field: 'fallback', message: 'Required' }]);
    expect((await reject({ fallback: { agentId: 'not an id!' } }))[0]!.field).toBe('fallback.agentId');
    expect(await reject({ rules: 'all' })).toEqual([{ field: 'rules', message: 'must be a list of rules' }]);
    expect(await t.snapshot()).toEqual(before);
  });

  it('answers 404 naming the field of an agent or team that does not exist', async () => {
    const before = await t.snapshot();
    const unknownAgent = await t.request('POST', base, {
      name: 'Dangling',
      rules: [{ then: { teamId } }, { when: { keywords: ['x'] }, then: { agentId: 'agent_doesnotexist' } }],
      fallback: { agentId },
    });
    expect(unknownAgent.status).toBe(404);
    expect(unknownAgent.body.code).toBe('NOT_FOUND');
    expect(unknownAgent.body.meta).toEqual({ field: 'rules.1.then.agentId', agentId: 'agent_doesnotexist' });
    expect(unknownAgent.body.message).toContain('rules.1.then.agentId');

    const unknownTeam = await t.request('POST', base, { name: 'Dangling', fallback: { teamId: 'team_doesnotexist' } });
    expect(unknownTeam.status).toBe(404);
    expect(unknownTeam.body.meta).toEqual({ field: 'fallback.teamId', teamId: 'team_doesnotexist' });

    const other = await t.newWorkspace('Foreign agents');
    const theirAgent = (await t.request('POST', '/v1/agents', { name: 'Theirs' }, as(other.apiKey))).body.data.id;
    const foreign = await t.request('POST', base, { name: 'Foreign', fallback: { agentId: theirAgent } });
    expect(foreign.status).toBe(404);
    expect(foreign.body.meta.field).toBe('fallback.agentId');
    const after = await t.snapshot();
    expect(after.workflows).toBe(before.workflows);
  });

  it('lists workflows with pagination meta', async () => {
    const fresh = await t.newWorkspace('Workflow listing');
    const auth = as(fresh.apiKey);
    const theirAgent = (await t.request('POST', '/v1/agents', { name: 'Bot' }, auth)).body.data.id;
    const ids = [];
    for (const name of ['W1', 'W2', 'W3']) ids.push((await createWorkflow({ name, fallback: { agentId: theirAgent } }, auth)).id);
    const first = await t.request('GET', `${base}?pageSize=2`, undefined, auth);
    expect(first.status).toBe(200);
    expect(first.body.data.data.map((w: { id: string }) => w.id)).toEqual(ids.slice(0, 2));
    expect(first.body.data.meta).toEqual({ page: 1, pageSize: 2, totalCount: 3, totalPages: 2, hasNextPage: true, hasPreviousPage: false });
    expect((await t.request('GET', `${base}?pageSize=2&page=2`, undefined, auth)).body.data.data.map((w: { id: string }) => w.id)).toEqual(ids.slice(2));
  });

  it('updates through PATCH: rules replace, fields not sent are kept', async () => {
    const workflow = await createWorkflow({ name: 'Editable', rules: [{ when: { keywords: ['billing'] }, then: { teamId } }], fallback: { agentId } });
    const renamed = await t.request('PATCH', `${base}/${workflow.id}`, { name: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ name: 'Renamed', rules: workflow.rules, fallback: { agentId } });
    expect(renamed.body.data.updatedAt).toBeGreaterThan(workflow.updatedAt);

    const rerouted = await t.request('PATCH', `${base}/${workflow.id}`, { id: workflow.id, rules: [{ when: { regex: 'urgent' }, then: { agentId: nightAgentId } }] });
    expect(rerouted.body.data).toMatchObject({ name: 'Renamed', rules: [{ when: { regex: 'urgent' }, then: { agentId: nightAgentId } }], fallback: { agentId } });
    const fallback = await t.request('PATCH', `${base}/${workflow.id}`, { fallback: { teamId } });
    expect(fallback.body.data.fallback).toEqual({ teamId });
    expect(fallback.body.data.rules).toHaveLength(1);

    const snapshot = (await t.request('GET', `${base}/${workflow.id}`)).body.data;
    const dangling = await t.request('PATCH', `${base}/${workflow.id}`, { rules: [{ then: { teamId: 'team_doesnotexist' } }] });
    expect(dangling.status).toBe(404);
    expect(dangling.body.meta.field).toBe('rules.0.then.teamId');
    const invalid = await t.request('PATCH', `${base}/${workflow.id}`, { rules: [{ when: { regex: '[' }, then: { teamId } }] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details[0].field).toBe('rules.0.when.regex');
    const mismatch = await t.request('PATCH', `${base}/${workflow.id}`, { id: 'wf_other', name: 'x' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.details[0].field).toBe('id');
    expect((await t.request('GET', `${base}/${workflow.id}`)).body.data).toEqual(snapshot);

    const missing = await t.request('PATCH', `${base}/wf_doesnotexist`, { name: 'x' });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('Workflow not found');
  });

  it('attaches a workflow to a channel, replaces it, and detaches it', async () => {
    const channelId = await createChannel();
    const url = `/v1/deployment-channels/${channelId}/workflow`;
    const none = await t.request('GET', url);
    expect(none.status).toBe(404);
    expect(none.body.message).toBe('Deployment channel has no workflow');

    const first = await createWorkflow({ name: 'First', fallback: { agentId } });
    const second = await createWorkflow({ name: 'Second', fallback: { teamId } });
    const attached = await t.request('PUT', url, { workflowId: first.id });
    expect(attached.status).toBe(200);
    expect(attached.body.data).toEqual(first);
    expect((await t.request('GET', url)).body.data).toEqual(first);

    const replaced = await t.request('PUT', url, { workflowId: second.id });
    expect(replaced.body.data).toEqual(second);
    expect((await t.request('GET', url)).body.data.id).toBe(second.id);
    expect((await t.request('DELETE', `${base}/${first.id}`)).body.data).toBe(true); // no longer attached

    const detached = await t.request('DELETE', url);
    expect(detached.status).toBe(200);
    expect(detached.body.data).toBe(true);
    expect((await t.request('GET', url)).status).toBe(404);
    const again = await t.request('DELETE', url);
    expect(again.status).toBe(404);
    expect(again.body.message).toBe('Deployment channel has no workflow');
  });

  it('validates attachment: unknown channel, unknown workflow, bad body', async () => {
    const channelId = await createChannel();
    const workflow = await createWorkflow({ name: 'Attachable', fallback: { agentId } });
    const before = await t.snapshot();
    const noChannel = await t.request('PUT', '/v1/deployment-channels/chan_doesnotexist/workflow', { workflowId: workflow.id });
    expect(noChannel.status).toBe(404);
    expect(noChannel.body.message).toBe('Deployment channel not found');
    expect((await t.request('GET', '/v1/deployment-channels/chan_doesnotexist/workflow')).body.message).toBe('Deployment channel not found');
    expect((await t.request('DELETE', '/v1/deployment-channels/chan_doesnotexist/workflow')).status).toBe(404);
    const noWorkflow = await t.request('PUT', `/v1/deployment-channels/${channelId}/workflow`, { workflowId: 'wf_doesnotexist' });
    expect(noWorkflow.status).toBe(404);
    expect(noWorkflow.body.meta).toEqual({ field: 'workflowId', workflowId: 'wf_doesnotexist' });
    const noBody = await t.request('PUT', `/v1/deployment-channels/${channelId}/workflow`, {});
    expect(noBody.status).toBe(400);
    expect(noBody.body.error.details).toEqual([{ field: 'workflowId', message: 'Required' }]);
    expect(await t.snapshot()).toEqual(before);
  });

  it('refuses to delete a workflow attached to channels, naming them', async () => {
    const workflow = await createWorkflow({ name: 'In use', fallback: { agentId } });
    const channels = [await createChannel(), await createChannel()];
    for (const channelId of channels) await t.request('PUT', `/v1/deployment-channels/${channelId}/workflow`, { workflowId: workflow.id });
    const before = await t.snapshot();
    const refused = await t.request('DELETE', `${base}/${workflow.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('CONFLICT');
    for (const channelId of channels) expect(refused.body.message).toContain(channelId);
    expect(refused.body.meta).toEqual({ channelIds: channels });
    expect(await t.snapshot()).toEqual(before);

    await t.request('DELETE', `/v1/deployment-channels/${channels[0]}/workflow`);
    expect((await t.request('DELETE', `/v1/deployment-channels/${channels[1]}`)).status).toBe(200); // a deleted channel lets go too
    const deleted = await t.request('DELETE', `${base}/${workflow.id}`);
    expect(deleted.body.data).toBe(true);
    expect((await t.request('GET', `${base}/${workflow.id}`)).status).toBe(404);
    expect((await t.request('DELETE', `${base}/${workflow.id}`)).status).toBe(404);
  });

  it('refuses to delete an agent a workflow routes to', async () => {
    const agent = (await t.request('POST', '/v1/agents', { name: 'Routed to' })).body.data.id as string;
    const workflow = await createWorkflow({ name: 'Routes to agent', rules: [{ when: { keywords: ['sales'] }, then: { agentId: agent } }], fallback: { agentId } });
    const refused = await t.request('DELETE', `/v1/agents/${agent}`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain(workflow.id);
    expect(refused.body.meta).toEqual({ workflowIds: [workflow.id] });
    await t.request('PATCH', `${base}/${workflow.id}`, { rules: [] });
    expect((await t.request('DELETE', `/v1/agents/${agent}`)).body.data).toBe(true);
  });

  it('routes the same message differently inside and outside business hours once attached', async () => {
    const channelId = await createChannel();
    expect(await workflowForChannel(t.db, t.workspaceId, channelId)).toBeUndefined();
    const workflow = await createWorkflow({
      name: 'Hours',
      rules: [
        { name: 'vip', when: { attribute: { name: 'plan', equals: 'vip' }, languages: ['fr'] }, then: { agentId: nightAgentId } },
        { name: 'office', when: { businessHours: officeHours() }, then: { teamId } },
      ],
      fallback: { agentId },
    });
    await t.request('PUT', `/v1/deployment-channels/${channelId}/workflow`, { workflowId: workflow.id });
    const definition = await workflowForChannel(t.db, t.workspaceId, channelId);
    expect(definition).toEqual({ id: workflow.id, name: 'Hours', rules: workflow.rules, fallback: workflow.fallback });

    const message = { text: 'I need to talk to someone', attributes: { language: 'en-US' } };
    // Wednesday 10:30 in New York (14:30 UTC) and Wednesday 20:30 there (01:30 UTC on Thursday).
    expect(evaluateWorkflow(definition!, { ...message, now: new Date('2024-03-13T14:30:00Z') })).toEqual({ kind: 'team', teamId, rule: 1 });
    expect(evaluateWorkflow(definition!, { ...message, now: new Date('2024-03-14T00:30:00Z') })).toEqual({ kind: 'agent', agentId, rule: 'fallback' });
    expect(
      evaluateWorkflow(definition!, { text: message.text, attributes: { language: 'fr-FR', plan: 'vip' }, now: new Date('2024-03-13T14:30:00Z') }),
    ).toEqual({ kind: 'agent', agentId: nightAgentId, rule: 0 });

    // Another workspace never reads this channel's workflow.
    const other = await t.newWorkspace('Routing spy');
    expect(await workflowForChannel(t.db, other.workspaceId, channelId)).toBeUndefined();
    await t.request('DELETE', `/v1/deployment-channels/${channelId}/workflow`);
    expect(await workflowForChannel(t.db, t.workspaceId, channelId)).toBeUndefined();
  });

  it('never resolves a workflow or a channel of another workspace', async () => {
    const workflow = await createWorkflow({ name: 'Private', fallback: { agentId } });
    const channelId = await createChannel();
    await t.request('PUT', `/v1/deployment-channels/${channelId}/workflow`, { workflowId: workflow.id });
    const other = await t.newWorkspace('Intruder');
    const auth = as(other.apiKey);
    const theirChannel = await createChannel(auth);
    const theirAgent = (await t.request('POST', '/v1/agents', { name: 'Theirs' }, auth)).body.data.id;
    const theirWorkflow = await createWorkflow({ name: 'Theirs', fallback: { agentId: theirAgent } }, auth);

    const before = await t.snapshot();
    expect((await t.request('GET', `${base}/${workflow.id}`, undefined, auth)).status).toBe(404);
    expect((await t.request('PATCH', `${base}/${workflow.id}`, { name: 'hijack' }, auth)).status).toBe(404);
    expect((await t.request('DELETE', `${base}/${workflow.id}`, undefined, auth)).status).toBe(404);
    expect((await t.request('PUT', `/v1/deployment-channels/${theirChannel}/workflow`, { workflowId: workflow.id }, auth)).status).toBe(404);
    expect((await t.request('PUT', `/v1/deployment-channels/${channelId}/workflow`, { workflowId: theirWorkflow.id }, auth)).status).toBe(404);
    expect((await t.request('PUT', `/v1/deployment-channels/${channelId}/workflow`, { workflowId: theirWorkflow.id })).status).toBe(404);
    expect((await t.request('GET', `/v1/deployment-channels/${channelId}/workflow`, undefined, auth)).status).toBe(404);
    expect((await t.request('DELETE', `/v1/deployment-channels/${channelId}/workflow`, undefined, auth)).status).toBe(404);
    expect((await t.request('GET', base, undefined, auth)).body.data.data.map((w: { id: string }) => w.id)).toEqual([theirWorkflow.id]);
    expect(await t.snapshot()).toEqual(before);
    expect((await t.request('GET', `/v1/deployment-channels/${channelId}/workflow`)).body.data.id).toBe(workflow.id);
  });
});
