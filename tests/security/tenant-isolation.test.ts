/**
 * Tenant isolation, resource family by resource family. The instance administrator creates two
 * workspaces through POST /v1/workspaces; every resource is made in workspace A, then workspace
 * B's key tries every operation on it (and on references to it): each answers 404, or a list
 * without it, and A's resource reads back exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '@switchboard/server';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp, type TestResponse } from '../helpers/app.js';

const ORIGIN = 'http://localhost:5510';
const CS = '/channel-service';

type Call = (method: string, url: string, body?: unknown) => Promise<TestResponse>;

describe.each(ENGINES)('tenant isolation between workspaces on %s', (engine) => {
  let t: TestApp;
  let a: Call;
  let b: Call;
  let wsA: string;
  let wsB: string;
  /** Workspace A's resources, by family. */
  const A: Record<string, any> = {};
  /** Workspace B's own resources, for references across workspaces. */
  const B: Record<string, any> = {};
  /** Where each of A's resources is read. */
  const paths: Record<string, string> = {};
  /** How A's resources read through A's key once everything was made: each test compares against it. */
  const before: Record<string, unknown> = {};

  const caller =
    (key: string): Call =>
    (method, url, body) =>
      t.request(method, url, body, url.startsWith(CS) ? { authorization: '', 'x-api-key': key } : { authorization: `Bearer ${key}` });

  /** The answer's data; for a `/v1` list, the items of its page (`data: {data: [...], meta}`). */
  async function ok(call: Call, method: string, url: string, body?: unknown, status = method === 'POST' ? 201 : 200) {
    const response = await call(method, url, body);
    expect(response.status, `${method} ${url}: ${JSON.stringify(response.body)}`).toBe(status);
    const data = response.body.data ?? response.body;
    const isPage = url.startsWith('/v1/') && data !== null && typeof data === 'object' && Array.isArray(data.data) && typeof data.meta?.totalCount === 'number';
    return isPage ? data.data : data;
  }

  /** Workspace B is refused with 404 NOT_FOUND in the envelope of the path. */
  async function refused(method: string, url: string, body?: unknown) {
    const response = await b(method, url, body);
    expect(response.status, `${method} ${url} from workspace B: ${JSON.stringify(response.body)}`).toBe(404);
    const code = url.startsWith(CS) ? response.body.error.code : response.body.code;
    expect(code).toBe('NOT_FOUND');
  }

  /** What A reads at `url` is what it read before B's attempts. */
  async function unchanged(name: string, url: string) {
    expect(await ok(a, 'GET', url), name).toEqual(before[name]);
  }

  const ids = (list: { id?: string; _id?: string }[]) => list.map((x) => x.id ?? x._id);

  beforeAll(async () => {
    t = await createTestApp(engine);
    const { key: adminKey } = await issueApiKey(t.db, t.app.secretBox, t.workspaceId, 'instance admin', { instanceAdmin: true });
    const admin = caller(adminKey);
    const tenantA = await ok(admin, 'POST', '/v1/workspaces', { name: 'Tenant A' });
    const tenantB = await ok(admin, 'POST', '/v1/workspaces', { name: 'Tenant B' });
    wsA = tenantA.id;
    wsB = tenantB.id;
    a = caller(tenantA.apiKey.key);
    b = caller(tenantB.apiKey.key);

    A.phone = await ok(a, 'POST', '/v1/phone-configurations', { phoneNumber: '+14155550100', provider: 'twilio', friendlyName: 'A line' });
    A.smsChannel = await ok(a, 'POST', '/v1/deployment-channels', {
      deploymentType: 'sms',
      channelIdentifier: '+14155550100',
      configuration: { phoneConfigurationId: A.phone.id },
    });
    A.channel = await ok(a, 'POST', '/v1/deployment-channels', { deploymentType: 'web', channelIdentifier: 'https://tenant-a.example.com', channelName: 'A web' });
    A.agent = await ok(a, 'POST', '/v1/agents', { name: 'A agent', instructions: 'Only for A.' });
    A.deployment = await ok(a, 'POST', '/v1/deployment-configurations', { deploymentChannelId: A.channel.id, agentId: A.agent.id, deploymentName: 'A deployment' });
    A.webDeployment = await ok(a, 'POST', `/v1/agents/${A.agent.id}/deployments`, {
      allowedOrigins: [ORIGIN],
      channel: { channelIdentifier: 'https://widget-a.example.com' },
    });
    const session = await t.app.server.inject({
      method: 'POST',
      url: '/v1/public/runtime/sessions',
      headers: { authorization: `Bearer ${A.webDeployment.token}`, origin: ORIGIN, 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(session.statusCode, session.body).toBe(201);
    A.conversation = await ok(a, 'GET', `/v1/conversations/${JSON.parse(session.body).data.sessionId}`);
    A.contact = await ok(a, 'PATCH', `/v1/contacts/${A.conversation.contactId}`, { attributes: { tier: 'gold' } });
    A.secret = await ok(a, 'POST', '/v1/secrets', { name: 'a-access-token', value: 'EAAG-tenant-a-access-token-0123456789' });
    A.appSecret = await ok(a, 'POST', '/v1/secrets', { name: 'a-app-secret', value: 'tenant-a-app-secret-0123456789abcdef' });
    A.connection = await ok(a, 'POST', '/v1/connections', {
      provider: 'meta',
      name: 'A Meta',
      credentials: { accessToken: A.secret.id, appSecret: A.appSecret.id },
    });
    A.team = await ok(a, 'POST', '/v1/teams', { name: 'A support' });
    A.member = await ok(a, 'POST', `/v1/teams/${A.team.id}/members`, { name: 'Ana', email: 'ana@tenant-a.example.com' });
    A.observer = await ok(a, 'POST', `/v1/teams/${A.team.id}/observers`, { name: 'Olga', email: 'olga@tenant-a.example.com' });
    await ok(a, 'PUT', `/v1/deployment-channels/${A.channel.id}/teams`, { teamIds: [A.team.id] });
    A.workflow = await ok(a, 'POST', '/v1/workflows', { name: 'A routing', fallback: { agentId: A.agent.id } });
    await ok(a, 'PUT', `/v1/deployment-channels/${A.channel.id}/workflow`, { workflowId: A.workflow.id });
    // Loopback: the test event's delivery attempts stay on this machine (and are refused).
    A.webhook = await ok(a, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/tenant-a', events: ['*'] });
    A.delivery = await ok(a, 'POST', `/v1/webhooks/${A.webhook.id}/test`, undefined, 200);
    A.csChannel = await ok(a, 'POST', `${CS}/v1/channels/_web`, { name: 'A help center' });

    // Workspace B has resources of its own, so that references across workspaces can be tried.
    B.channel = await ok(b, 'POST', '/v1/deployment-channels', { deploymentType: 'web', channelIdentifier: 'https://tenant-b.example.com' });
    B.agent = await ok(b, 'POST', '/v1/agents', { name: 'B agent' });
    B.team = await ok(b, 'POST', '/v1/teams', { name: 'B support' });

    const reads: Record<string, string> = {
      phone: `/v1/phone-configurations/${A.phone.id}`,
      smsChannel: `/v1/deployment-channels/${A.smsChannel.id}`,
      channel: `/v1/deployment-channels/${A.channel.id}`,
      channelTeams: `/v1/deployment-channels/${A.channel.id}/teams`,
      channelWorkflow: `/v1/deployment-channels/${A.channel.id}/workflow`,
      agent: `/v1/agents/${A.agent.id}`,
      deployment: `/v1/deployment-configurations/${A.deployment.id}`,
      webDeployment: `/v1/agents/${A.agent.id}/deployments/${A.webDeployment.id}`,
      conversation: `/v1/conversations/${A.conversation.id}`,
      messages: `/v1/conversations/${A.conversation.id}/messages`,
      contact: `/v1/contacts/${A.contact.id}`,
      secret: `/v1/secrets/${A.secret.id}`,
      connection: `/v1/connections/${A.connection.id}`,
      team: `/v1/teams/${A.team.id}`,
      observers: `/v1/teams/${A.team.id}/observers`,
      workflow: `/v1/workflows/${A.workflow.id}`,
      webhook: `/v1/webhooks/${A.webhook.id}`,
      csChannel: `${CS}/v1/channels/${A.csChannel.id}`,
      csCredential: `${CS}/v1/channels/credentials/${A.connection.id}`,
      csObservers: `${CS}/v1/assign/team/${A.team.id}/observers`,
    };
    for (const [name, url] of Object.entries(reads)) before[name] = await ok(a, 'GET', url);
    Object.assign(paths, reads);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives each workspace its own first admin key, and neither key sees the other workspace through /v1/workspaces', async () => {
    expect(wsA).not.toBe(wsB);
    for (const call of [a, b]) {
      const response = await call('GET', '/v1/workspaces');
      expect(response.status).toBe(403);
      expect(response.body.code).toBe('FORBIDDEN');
      expect((await call('GET', `/v1/workspaces/${wsA}`)).status).toBe(403);
      expect((await call('PATCH', `/v1/workspaces/${wsA}`, { status: 'suspended' })).status).toBe(403);
      expect((await call('POST', `/v1/workspaces/${wsA}/keys`, { scope: 'admin' })).status).toBe(403);
    }
    expect((await a('GET', '/v1/agents')).status).toBe(200);
  });

  it('phone configurations', async () => {
    await refused('GET', paths.phone!);
    await refused('PATCH', paths.phone!, { friendlyName: 'Taken over' });
    await refused('DELETE', paths.phone!);
    await refused('GET', `/v1/phone-configurations/by-phone-number/${encodeURIComponent(A.phone.phoneNumber)}`);
    expect(ids(await ok(b, 'GET', '/v1/phone-configurations'))).not.toContain(A.phone.id);
    // A channel of B cannot be put on A's number.
    await refused('POST', '/v1/deployment-channels', { deploymentType: 'calls', channelIdentifier: A.phone.phoneNumber, configuration: { phoneConfigurationId: A.phone.id } });
    await unchanged('phone', paths.phone!);
  });

  it('deployment channels', async () => {
    for (const channel of ['channel', 'smsChannel'] as const) {
      const id = A[channel].id as string;
      await refused('GET', `/v1/deployment-channels/${id}`);
      await refused('PATCH', `/v1/deployment-channels/${id}`, { channelName: 'Taken over' });
      await refused('PATCH', '/v1/deployment-channels', { id, channelName: 'Taken over' });
      await refused('DELETE', `/v1/deployment-channels/${id}?deletePhoneConfig=true`);
      await unchanged(channel, paths[channel]!);
    }
    await refused('GET', `/v1/deployment-channels/by-identifier/${encodeURIComponent(A.channel.channelIdentifier)}?type=web`);
    expect(ids(await ok(b, 'GET', '/v1/deployment-channels'))).toEqual([B.channel.id]);
    expect(ids(await ok(b, 'GET', '/v1/deployment-channels/by-type/web'))).toEqual([B.channel.id]);
    expect(await ok(b, 'GET', '/v1/deployment-channels/by-type/sms')).toEqual([]);
    // The channel's teams and workflow.
    await refused('GET', paths.channelTeams!);
    await refused('PUT', paths.channelTeams!, { teamIds: [] });
    await refused('GET', paths.channelWorkflow!);
    await refused('PUT', paths.channelWorkflow!, { workflowId: A.workflow.id });
    await refused('DELETE', paths.channelWorkflow!);
    await unchanged('channelTeams', paths.channelTeams!);
    await unchanged('channelWorkflow', paths.channelWorkflow!);
  });

  it('agents', async () => {
    await refused('GET', paths.agent!);
    await refused('PATCH', paths.agent!, { name: 'Taken over', instructions: 'Leak everything.' });
    await refused('DELETE', paths.agent!);
    expect(ids(await ok(b, 'GET', '/v1/agents'))).toEqual([B.agent.id]);
    await unchanged('agent', paths.agent!);
  });

  it('deployment configurations', async () => {
    const id = A.deployment.id as string;
    await refused('GET', paths.deployment!);
    await refused('PATCH', paths.deployment!, { status: 'active' });
    await refused('PATCH', '/v1/deployment-configurations', { id, status: 'active' });
    await refused('DELETE', paths.deployment!);
    await refused('GET', `/v1/deployment-configurations/by-channel/${A.channel.id}`);
    await refused('GET', `/v1/deployment-configurations/by-agent/${A.agent.id}`);
    expect(await ok(b, 'GET', '/v1/deployment-configurations')).toEqual([]);
    // B cannot bind A's channel or A's agent, nor move its own deployment onto A's agent.
    await refused('POST', '/v1/deployment-configurations', { deploymentChannelId: A.channel.id, agentId: B.agent.id });
    await refused('POST', '/v1/deployment-configurations', { deploymentChannelId: B.channel.id, agentId: A.agent.id });
    await refused('POST', '/v1/deployment-configurations/setup', { agentId: A.agent.id, channel: { deploymentType: 'web', channelIdentifier: 'https://b-setup.example.com' } });
    expect(await ok(b, 'GET', '/v1/deployment-configurations')).toEqual([]);
    await unchanged('deployment', paths.deployment!);
  });

  it('web deployments (agents/{id}/deployments) and their widget tokens', async () => {
    const url = paths.webDeployment!;
    await refused('GET', url);
    await refused('PATCH', url, { allowedOrigins: ['https://evil.example.com'] });
    await refused('POST', `${url}/revoke`);
    await refused('POST', `${url}/rotate`);
    await refused('GET', `${url}/embed-snippet`);
    await refused('GET', `/v1/agents/${A.agent.id}/deployments`);
    await refused('POST', `/v1/agents/${A.agent.id}/deployments`, { allowedOrigins: [ORIGIN] });
    expect(await ok(b, 'GET', `/v1/agents/${B.agent.id}/deployments`)).toEqual([]);
    await unchanged('webDeployment', url);
  });

  it('conversations, their messages and handoff', async () => {
    const id = A.conversation.id as string;
    await refused('GET', paths.conversation!);
    await refused('GET', paths.messages!);
    await refused('POST', paths.messages!, { text: 'Injected by B' });
    await refused('POST', `/v1/conversations/${id}/handoff`, { reason: 'B wants it' });
    await refused('POST', `/v1/conversations/${id}/handoff/accept`, { memberId: A.member.id });
    await refused('POST', `/v1/conversations/${id}/handoff/resolve`);
    await refused('POST', `/v1/conversations/${id}/handoff/handback`);
    expect(await ok(b, 'GET', '/v1/conversations')).toEqual([]);
    await unchanged('conversation', paths.conversation!);
    await unchanged('messages', paths.messages!);
  });

  it('contacts', async () => {
    await refused('GET', paths.contact!);
    await refused('PATCH', paths.contact!, { attributes: { tier: 'stolen' } });
    await unchanged('contact', paths.contact!);
  });

  it('secrets', async () => {
    await refused('GET', paths.secret!);
    await refused('PUT', paths.secret!, { value: 'replaced-by-tenant-b-0123456789' });
    await refused('DELETE', paths.secret!);
    expect(await ok(b, 'GET', '/v1/secrets')).toEqual([]);
    // B cannot point a connection of its own at A's secrets.
    await refused('POST', '/v1/connections', { provider: 'meta', name: 'B Meta', credentials: { accessToken: A.secret.id, appSecret: A.appSecret.id } });
    await unchanged('secret', paths.secret!);
  });

  it('connections', async () => {
    await refused('GET', paths.connection!);
    await refused('PATCH', paths.connection!, { name: 'Taken over' });
    await refused('POST', `${paths.connection}/rotate-inbound-secret`);
    await refused('DELETE', paths.connection!);
    expect(await ok(b, 'GET', '/v1/connections')).toEqual([]);
    // Nor carry a channel or a number of B on A's connection, nor hand B's team's handoffs to it.
    await refused('POST', '/v1/phone-configurations', { phoneNumber: '+14155550199', provider: 'twilio', connectionId: A.connection.id });
    await refused('POST', '/v1/teams', { name: 'B via A', helpdeskConnectionId: A.connection.id });
    await unchanged('connection', paths.connection!);
  });

  it('deliveries', async () => {
    const id = A.delivery.deliveryId as string;
    await refused('GET', `/v1/deliveries/${id}`);
    await refused('POST', `/v1/deliveries/${id}/retry`);
    expect(await ok(b, 'GET', '/v1/deliveries')).toEqual([]);
    expect(ids(await ok(a, 'GET', '/v1/deliveries'))).toContain(id);
    expect((await ok(a, 'GET', `/v1/deliveries/${id}`)).id).toBe(id);
  });

  it('teams, members and observers', async () => {
    const url = paths.team!;
    await refused('GET', url);
    await refused('PATCH', url, { name: 'Taken over' });
    await refused('DELETE', url);
    await refused('POST', `${url}/members`, { name: 'Mallory', email: 'mallory@tenant-b.example.com' });
    await refused('DELETE', `${url}/members/${A.member.id}`);
    await refused('GET', `${url}/observers`);
    await refused('POST', `${url}/observers`, { name: 'Mallory', email: 'mallory@tenant-b.example.com' });
    await refused('DELETE', `${url}/observers/${A.observer.id}`);
    expect(ids(await ok(b, 'GET', '/v1/teams'))).toEqual([B.team.id]);
    // B cannot make A's team assignable on its channel, nor hand its conversations to it.
    await refused('PUT', `/v1/deployment-channels/${B.channel.id}/teams`, { teamIds: [A.team.id] });
    await unchanged('team', url);
    await unchanged('observers', `${url}/observers`);
  });

  it('workflows', async () => {
    const url = paths.workflow!;
    await refused('GET', url);
    await refused('PATCH', url, { name: 'Taken over', fallback: { agentId: B.agent.id } });
    await refused('DELETE', url);
    expect(await ok(b, 'GET', '/v1/workflows')).toEqual([]);
    // Nor attach A's workflow to its own channel, nor route its own workflow to A's agent or team.
    await refused('PUT', `/v1/deployment-channels/${B.channel.id}/workflow`, { workflowId: A.workflow.id });
    await refused('POST', '/v1/workflows', { name: 'B to A', fallback: { agentId: A.agent.id } });
    await refused('POST', '/v1/workflows', { name: 'B to A team', fallback: { teamId: A.team.id } });
    expect(await ok(b, 'GET', '/v1/workflows')).toEqual([]);
    await unchanged('workflow', url);
  });

  it('webhook subscriptions', async () => {
    const url = paths.webhook!;
    await refused('GET', url);
    await refused('PATCH', url, { url: 'http://127.0.0.1:9/tenant-b-collects' });
    await refused('POST', `${url}/rotate-secret`);
    await refused('POST', `${url}/test`);
    await refused('DELETE', url);
    expect(await ok(b, 'GET', '/v1/webhooks')).toEqual([]);
    await unchanged('webhook', url);
  });

  it('the /channel-service paths: channels, credentials, workflows and assignable teams', async () => {
    for (const id of [A.csChannel.id, A.channel.id] as string[]) {
      await refused('GET', `${CS}/v1/channels/${id}`);
      await refused('PUT', `${CS}/v1/channels/${id}`, { name: 'Taken over', active: true });
      await refused('DELETE', `${CS}/v1/channels/${id}`);
      await refused('DELETE', `${CS}/v3/channels/${id}`);
      await refused('PUT', `${CS}/v1/channels/workflows/${id}`, { workflow_id: A.workflow.id });
      await refused('DELETE', `${CS}/v1/channels/workflows/${id}`);
    }
    await refused('PUT', `${CS}/v1/channels/workflows/${B.channel.id}`, { workflow_id: A.workflow.id });
    const listed = await b('GET', `${CS}/v1/channels`);
    expect(listed.status).toBe(200);
    expect(ids(listed.body)).toEqual([B.channel.id]);
    expect((await b('GET', `${CS}/v1/channels/_count`)).body).toEqual({ count: 1 });

    await refused('GET', paths.csCredential!);
    await refused('PUT', paths.csCredential!, { name: 'Taken over' });
    await refused('DELETE', paths.csCredential!);
    await refused('GET', `${paths.csCredential}/pages`);
    await refused('POST', `${CS}/v3/channels/_facebook`, { page_id: '1234567890', credential_id: A.connection.id });

    await refused('GET', paths.csObservers!);
    const assignable = await b('GET', `${CS}/v1/assign/teams/all?channel_id=${A.channel.id}`);
    expect([404, 200]).toContain(assignable.status);
    if (assignable.status === 200) expect(JSON.stringify(assignable.body)).not.toContain(A.team.id);
    expect(JSON.stringify((await b('GET', `${CS}/v1/assign/teams/all`)).body)).not.toContain(A.team.id);

    // An x-organization-id naming A does not let B's key in.
    const crossed = await t.request('GET', `${CS}/v1/channels/${A.csChannel.id}`, undefined, {
      authorization: '',
      'x-api-key': (await issueApiKey(t.db, t.app.secretBox, wsB, 'b second')).key,
      'x-organization-id': wsA,
    });
    expect(crossed.status).toBe(403);

    for (const name of ['csChannel', 'csCredential', 'csObservers', 'channel', 'channelWorkflow'] as const) await unchanged(name, paths[name]!);
  });

  it('leaves every resource of A as it was', async () => {
    for (const [name, url] of Object.entries(paths)) await unchanged(name, url);
  });
});
