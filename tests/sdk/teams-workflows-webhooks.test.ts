/**
 * `client.teams`, `client.workflows`, `client.webhooks` and the handoff methods of
 * `client.conversations`, run against a real Switchboard on both engines. The widget's side
 * (the public runtime) is spoken with plain fetch, as a browser would; webhook test events go
 * to a fake receiver that verifies their Standard Webhooks signature.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APIError,
  ConflictError,
  HANDOFF_STATES,
  NotFoundError,
  SwitchboardClient,
  ValidationError,
  WEBHOOK_EVENT_TYPES,
  type Conversation,
  type DeploymentChannel,
  type HandoffState,
  type IssuedWebhookSubscription,
  type Team,
  type TeamMember,
  type WebhookSubscription,
  type Workflow,
} from '@switchboard/sdk';
import { ENGINES, POSTGRES_ADMIN_URL } from '../helpers/engines.js';
import { startLiveServer, type LiveServer } from '../helpers/live-server.js';
import { waitUntil } from '../helpers/wait.js';
import { startWebhookReceiver, type FakeWebhookReceiver } from '../fakes/webhook-receiver.js';

const ORIGIN = 'http://localhost:5500';

/**
 * Waits until no session is connected to the PostgreSQL database at `url`. The pool's `end()`
 * resolves before its sockets close, and dropping the database WITH FORCE kills the sessions
 * still closing, which pg then reports as an unhandled error.
 */
async function untilDisconnected(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    const name = new URL(url).pathname.slice(1);
    await waitUntil(
      async () => Number((await admin.query('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name])).rows[0].n) === 0,
      5000,
      'the pool to disconnect',
    );
  } finally {
    await admin.end();
  }
}

describe.each(ENGINES)('SDK teams, workflows, webhooks and handoff on %s', (engine) => {
  let server: LiveServer;
  let client: SwitchboardClient;
  const receivers: FakeWebhookReceiver[] = [];

  beforeAll(async () => {
    server = await startLiveServer(engine, {
      runtimeRateLimits: { perIp: 10_000, perToken: 10_000 },
      delivery: { baseDelayMs: 20, maxDelayMs: 200, pollMs: 50 },
    });
    const { apiKey } = await server.newWorkspace();
    client = new SwitchboardClient({ apiKey, baseUrl: server.baseUrl });
  });
  afterAll(async () => {
    for (const receiver of receivers) await receiver.close();
    if (!server) return;
    await server.app.server.close();
    await server.db.destroy();
    if (engine === 'postgres') await untilDisconnected(server.database.url);
    await server.database.destroy();
  });

  const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
  const uniqueSite = () => `https://${unique('site')}.example.com`;
  const webChannel = (): Promise<DeploymentChannel> => client.deploymentChannels.create({ deploymentType: 'web', channelIdentifier: uniqueSite() });
  const rejection = <T>(promise: Promise<T>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

  describe('client.teams', () => {
    it('creates, lists, gets, updates and deletes a team', async () => {
      const created = await client.teams.create({ name: 'Tier 1', description: 'First line' });
      expect(created).toMatchObject({ name: 'Tier 1', description: 'First line', helpdeskConnectionId: null, members: [], observers: [] });
      expect(created.id).toMatch(/^team_/);
      expect(created.createdAt).toEqual(expect.any(Number));

      expect(await client.teams.get(created.id)).toEqual(created);
      const listed = await client.teams.list({ pageSize: 100 });
      expect(listed.meta).toMatchObject({ page: 1, pageSize: 100 });
      expect(listed.data.find((t) => t.id === created.id)).toEqual(created);

      const updated = await client.teams.update(created.id, { name: 'Tier One', description: null });
      expect(updated).toMatchObject({ id: created.id, name: 'Tier One', description: null });
      expect(updated.updatedAt).toBeGreaterThanOrEqual(created.updatedAt);
      expect(await client.teams.get(created.id)).toEqual(updated);
      // Fields left out keep their values.
      expect(await client.teams.update(created.id, { description: 'Back' })).toMatchObject({ name: 'Tier One', description: 'Back' });

      expect(await client.teams.delete(created.id)).toBe(true);
      await expect(client.teams.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.teams.delete(created.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.teams.update(created.id, { name: 'Ghost' })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('paginates the list', async () => {
      const { apiKey } = await server.newWorkspace();
      const own = new SwitchboardClient({ apiKey, baseUrl: server.baseUrl });
      for (const name of ['a', 'b', 'c']) await own.teams.create({ name });
      const page = await own.teams.list({ page: 2, pageSize: 2 });
      expect(page.meta).toMatchObject({ page: 2, pageSize: 2, totalCount: 3, totalPages: 2 });
      expect(page.data.map((t) => t.name)).toEqual(['c']);
    });

    it('adds and removes members and observers, storing emails lower-case', async () => {
      const team = await client.teams.create({ name: 'Support' });
      const ana = await client.teams.addMember(team.id, { name: 'Ana', email: '  Ana@Example.COM ', role: 'supervisor' });
      expect(ana).toEqual({ id: expect.any(String), name: 'Ana', email: 'ana@example.com', role: 'supervisor', memberId: null });
      const ben = await client.teams.addMember(team.id, { name: 'Ben', email: 'ben@example.com' });
      expect(ben.role).toBe('agent');

      const twice = await rejection(client.teams.addMember(team.id, { name: 'Ana again', email: 'ANA@example.com' }));
      expect(twice).toBeInstanceOf(ConflictError);
      expect((twice as ConflictError).message).toContain('ana@example.com');

      const olu = await client.teams.addObserver(team.id, { name: 'Olu', email: 'Olu@Example.com' });
      expect(olu).toEqual({ id: expect.any(String), name: 'Olu', email: 'olu@example.com' });
      // A member may observe their own team.
      const anaWatching = await client.teams.addObserver(team.id, { name: 'Ana', email: 'ana@example.com' });
      await expect(client.teams.addObserver(team.id, { name: 'Olu', email: 'olu@example.com' })).rejects.toBeInstanceOf(ConflictError);

      const fetched = await client.teams.get(team.id);
      expect(fetched.members).toEqual([ana, ben]);
      expect(fetched.observers).toEqual([olu, anaWatching]);

      const observers = await client.teams.listObservers(team.id);
      expect(observers.meta).toMatchObject({ page: 1, totalCount: 2 });
      expect(observers.data).toEqual([olu, anaWatching]);
      const second = await client.teams.listObservers(team.id, { page: 2, pageSize: 1 });
      expect(second.data).toEqual([anaWatching]);

      // A member's id is not an observer's, and the other way round.
      await expect(client.teams.removeObserver(team.id, ana.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.teams.removeMember(team.id, olu.id)).rejects.toBeInstanceOf(NotFoundError);

      expect(await client.teams.removeMember(team.id, ana.id)).toBe(true);
      expect(await client.teams.removeObserver(team.id, olu.id)).toBe(true);
      const after = await client.teams.get(team.id);
      expect(after.members).toEqual([ben]);
      expect(after.observers).toEqual([anaWatching]);
      expect(after.updatedAt).toBeGreaterThanOrEqual(fetched.updatedAt);
      await expect(client.teams.removeMember(team.id, ana.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.teams.addMember('team_missing', { name: 'X', email: 'x@example.com' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.teams.listObservers('team_missing')).rejects.toBeInstanceOf(NotFoundError);
    });

    it("replaces and lists a channel's assignable teams; a team in use cannot be deleted", async () => {
      const channel = await webChannel();
      const first = await client.teams.create({ name: 'First' });
      const second = await client.teams.create({ name: 'Second' });

      const assigned = await client.teams.setChannelTeams(channel.id, [second.id, first.id, second.id]);
      expect(assigned.map((t: Team) => t.id)).toEqual([first.id, second.id]);
      const listed = await client.teams.listChannelTeams(channel.id);
      expect(listed.meta).toMatchObject({ page: 1, totalCount: 2 });
      expect(listed.data.map((t) => t.id)).toEqual([first.id, second.id]);
      expect((await client.teams.listChannelTeams(channel.id, { page: 2, pageSize: 1 })).data.map((t) => t.id)).toEqual([second.id]);

      const inUse = await rejection(client.teams.delete(first.id));
      expect(inUse).toBeInstanceOf(ConflictError);
      expect((inUse as ConflictError).meta).toMatchObject({ channelIds: [channel.id], workflowIds: [] });

      // An unknown team: 404 naming it, and nothing changes.
      const unknown = await rejection(client.teams.setChannelTeams(channel.id, [first.id, 'team_missing']));
      expect(unknown).toBeInstanceOf(NotFoundError);
      expect((unknown as NotFoundError).meta).toMatchObject({ field: 'teamIds.1' });
      expect((await client.teams.listChannelTeams(channel.id)).data.map((t) => t.id)).toEqual([first.id, second.id]);
      await expect(client.teams.setChannelTeams('chan_missing', [])).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.teams.listChannelTeams('chan_missing')).rejects.toBeInstanceOf(NotFoundError);

      expect(await client.teams.setChannelTeams(channel.id, [])).toEqual([]);
      expect((await client.teams.listChannelTeams(channel.id)).data).toEqual([]);
      expect(await client.teams.delete(first.id)).toBe(true);
    });

    it('validates requests before sending', async () => {
      const badEmail = await rejection(client.teams.addMember('team_1', { name: 'Ana', email: 'ana@localhost' }));
      expect(badEmail).toBeInstanceOf(ValidationError);
      expect((badEmail as ValidationError).issues).toEqual([{ field: 'email', message: expect.stringContaining('email address') }]);
      const badObserver = await rejection(client.teams.addObserver('team_1', { name: 'Olu', email: 'not an email' }));
      expect((badObserver as ValidationError).issues.map((i) => i.field)).toEqual(['email']);
      const badRole = await rejection(client.teams.addMember('team_1', { name: 'Ana', email: 'ana@example.com', role: 'boss' as 'agent' }));
      expect((badRole as ValidationError).issues.map((i) => i.field)).toEqual(['role']);

      await expect(client.teams.create({ name: '   ' })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.teams.create({ name: 'X', description: 'd'.repeat(2001) })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.teams.update('team_1', { id: 'team_2' })).rejects.toThrow(/must match the id/);
      const badIds = await rejection(client.teams.setChannelTeams('chan_1', ['not an id!']));
      expect((badIds as ValidationError).issues.map((i) => i.field)).toEqual(['teamIds.0']);
      await expect(client.teams.setChannelTeams('chan_1', 'team_1' as unknown as string[])).rejects.toBeInstanceOf(ValidationError);
      await expect(client.teams.get('')).rejects.toBeInstanceOf(ValidationError);
      await expect(client.teams.removeMember('team_1', '')).rejects.toThrow(/memberId/);
      await expect(client.teams.listChannelTeams('')).rejects.toThrow(/channelId/);
    });
  });

  describe('client.workflows', () => {
    it('creates, lists, gets, updates and deletes a workflow, and attaches it to a channel', async () => {
      const agent = await client.agents.create({ name: 'Night bot' });
      const team = await client.teams.create({ name: 'VIP desk' });
      const created = await client.workflows.create({
        name: 'Support routing',
        rules: [
          { name: 'VIP', when: { attribute: { name: 'plan', equals: 'vip' } }, then: { teamId: team.id } },
          {
            name: 'Office hours',
            when: { businessHours: { timeZone: 'america/new_york', days: ['fri', 'mon', 'fri'], start: '09:00', end: '17:00' } },
            then: { teamId: team.id },
          },
          { when: { keywords: ['refund'], languages: ['EN'] }, then: { agentId: agent.id } },
        ],
        fallback: { agentId: agent.id },
      });
      expect(created.id).toMatch(/^wf_/);
      expect(created).toMatchObject({ name: 'Support routing', fallback: { agentId: agent.id } });
      expect(created.rules).toHaveLength(3);
      // Stored canonical: the time zone's own spelling, days in week order, `inside` defaulted.
      expect(created.rules[1]!.when.businessHours).toEqual({ timeZone: 'America/New_York', days: ['mon', 'fri'], start: '09:00', end: '17:00', inside: true });
      expect(created.rules[2]!.when.languages).toEqual(['en']);

      expect(await client.workflows.get(created.id)).toEqual(created);
      const listed = await client.workflows.list({ pageSize: 100 });
      expect(listed.data.find((w) => w.id === created.id)).toEqual(created);

      const updated = await client.workflows.update(created.id, { rules: [{ then: { teamId: team.id } }] });
      expect(updated).toMatchObject({ id: created.id, name: 'Support routing', fallback: { agentId: agent.id }, rules: [{ when: {}, then: { teamId: team.id } }] });
      expect(await client.workflows.get(created.id)).toEqual(updated);

      const channel = await webChannel();
      const attached: Workflow = await client.workflows.attach(channel.id, created.id);
      expect(attached).toEqual(updated);
      expect(await client.workflows.forChannel(channel.id)).toEqual(updated);

      const attachedError = await rejection(client.workflows.delete(created.id));
      expect(attachedError).toBeInstanceOf(ConflictError);
      expect((attachedError as ConflictError).meta).toMatchObject({ channelIds: [channel.id] });

      // Attaching another replaces it.
      const other = await client.workflows.create({ name: 'Everything to the bot', fallback: { agentId: agent.id } });
      expect(other.rules).toEqual([]);
      expect((await client.workflows.attach(channel.id, other.id)).id).toBe(other.id);
      expect((await client.workflows.forChannel(channel.id)).id).toBe(other.id);

      expect(await client.workflows.detach(channel.id)).toBe(true);
      await expect(client.workflows.forChannel(channel.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.workflows.detach(channel.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.workflows.attach(channel.id, 'wf_missing')).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.workflows.attach('chan_missing', created.id)).rejects.toBeInstanceOf(NotFoundError);

      expect(await client.workflows.delete(created.id)).toBe(true);
      expect(await client.workflows.delete(other.id)).toBe(true);
      await expect(client.workflows.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.workflows.update(created.id, { name: 'Ghost' })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('refuses to delete a team a workflow routes to with ConflictError', async () => {
      const team = await client.teams.create({ name: 'Escalations' });
      const workflow = await client.workflows.create({ name: 'To the team', fallback: { teamId: team.id } });

      const error = await rejection(client.teams.delete(team.id));
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).statusCode).toBe(409);
      expect((error as ConflictError).message).toContain(workflow.id);
      expect((error as ConflictError).meta).toMatchObject({ channelIds: [], workflowIds: [workflow.id] });
      expect((await client.teams.get(team.id)).id).toBe(team.id);

      expect(await client.workflows.delete(workflow.id)).toBe(true);
      expect(await client.teams.delete(team.id)).toBe(true);
    });

    it('names the missing agent or team with NotFoundError', async () => {
      const agent = await client.agents.create({ name: 'Bot' });
      const missingTeam = await rejection(
        client.workflows.create({ name: 'W', rules: [{ then: { agentId: agent.id } }, { then: { teamId: 'team_missing' } }], fallback: { agentId: agent.id } }),
      );
      expect(missingTeam).toBeInstanceOf(NotFoundError);
      expect((missingTeam as NotFoundError).meta).toMatchObject({ field: 'rules.1.then.teamId' });
      const missingAgent = await rejection(client.workflows.create({ name: 'W', fallback: { agentId: 'agent_missing' } }));
      expect((missingAgent as NotFoundError).meta).toMatchObject({ field: 'fallback.agentId' });
    });

    it('validates requests before sending', async () => {
      const badZone = await rejection(
        client.workflows.create({
          name: 'Hours',
          rules: [{ when: { businessHours: { timeZone: 'Mars/Olympus_Mons', days: ['mon'], start: '09:00', end: '17:00' } }, then: { agentId: 'agent_1' } }],
          fallback: { agentId: 'agent_1' },
        }),
      );
      expect(badZone).toBeInstanceOf(ValidationError);
      expect((badZone as ValidationError).issues).toEqual([
        { field: 'rules.0.when.businessHours.timeZone', message: expect.stringContaining('IANA time zone') },
      ]);

      const sameTimes = await rejection(
        client.workflows.update('wf_1', { rules: [{ when: { businessHours: { timeZone: 'UTC', days: ['mon'], start: '09:00', end: '09:00' } }, then: { agentId: 'agent_1' } }] }),
      );
      expect((sameTimes as ValidationError).issues.map((i) => i.field)).toEqual(['rules.0.when.businessHours.end']);

      const both = await rejection(client.workflows.create({ name: 'W', fallback: { agentId: 'agent_1', teamId: 'team_1' } as never }));
      expect((both as ValidationError).issues.map((i) => i.field)).toEqual(['fallback']);
      await expect(client.workflows.create({ name: 'W', rules: [{ when: { regex: '(' }, then: { agentId: 'agent_1' } }], fallback: { agentId: 'agent_1' } })).rejects.toThrow(
        /valid regular expression/,
      );
      await expect(client.workflows.create({ name: 'W' } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(client.workflows.update('wf_1', { id: 'wf_2' })).rejects.toThrow(/must match the id/);
      const badAttach = await rejection(client.workflows.attach('chan_1', 'bad id!'));
      expect((badAttach as ValidationError).issues.map((i) => i.field)).toEqual(['workflowId']);
      await expect(client.workflows.attach('', 'wf_1')).rejects.toThrow(/channelId/);
      await expect(client.workflows.detach('')).rejects.toBeInstanceOf(ValidationError);
      await expect(client.workflows.forChannel('')).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('client.webhooks', () => {
    it('shows the signing secret once, at creation and at rotation', async () => {
      const created: IssuedWebhookSubscription = await client.webhooks.create({
        url: 'https://hooks.example.com/switchboard',
        events: ['message.created', 'handoff.requested', 'message.created'],
        description: 'CRM',
      });
      expect(created).toMatchObject({
        url: 'https://hooks.example.com/switchboard',
        events: ['message.created', 'handoff.requested'],
        description: 'CRM',
        active: true,
      });
      expect(created.secret).toMatch(/^whsec_/);
      expect(created.secretFingerprint).toMatch(/^[0-9a-f]{16}$/);
      expect(created.secretMask).not.toContain(created.secret);
      const { secret, ...publicView } = created;

      const fetched: WebhookSubscription = await client.webhooks.get(created.id);
      expect(fetched).toEqual(publicView);
      expect(fetched).not.toHaveProperty('secret');
      const listed = await client.webhooks.list({ pageSize: 100 });
      expect(listed.data.find((s) => s.id === created.id)).toEqual(publicView);
      for (const read of [fetched, listed]) expect(JSON.stringify(read)).not.toContain(secret);

      const updated = await client.webhooks.update(created.id, { events: ['*'], description: null, active: false });
      expect(updated).toMatchObject({ id: created.id, url: created.url, events: ['*'], description: null, active: false, secretFingerprint: created.secretFingerprint });
      expect(updated).not.toHaveProperty('secret');
      expect(await client.webhooks.get(created.id)).toEqual(updated);

      const rotated = await client.webhooks.rotateSecret(created.id);
      expect(rotated.id).toBe(created.id);
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(secret);
      expect(rotated.secretFingerprint).not.toBe(created.secretFingerprint);
      const afterRotation = await client.webhooks.get(created.id);
      expect(afterRotation).not.toHaveProperty('secret');
      expect(afterRotation.secretFingerprint).toBe(rotated.secretFingerprint);
      expect(JSON.stringify(afterRotation)).not.toContain(rotated.secret);

      expect(await client.webhooks.delete(created.id)).toBe(true);
      await expect(client.webhooks.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.webhooks.delete(created.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.webhooks.rotateSecret(created.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.webhooks.update(created.id, { active: true })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('sends a test event, signed with the secret shown at creation', async () => {
      expect(WEBHOOK_EVENT_TYPES).toContain('handoff.accepted');
      const subscription = await client.webhooks.create({ url: 'https://placeholder.example.com/hook', events: ['delivery.failed'] });
      const receiver = await startWebhookReceiver({ secret: subscription.secret });
      receivers.push(receiver);
      await client.webhooks.update(subscription.id, { url: receiver.url });

      const result = await client.webhooks.test(subscription.id);
      expect(result.eventId).toMatch(/^wev_/);
      expect(typeof result.deliveryId).toBe('string');
      const delivered = await waitUntil(() => receiver.deliveries.find((d) => d.webhookId === result.eventId), 5000, 'the test event at the receiver');
      expect(delivered.payload).toMatchObject({ id: result.eventId, type: 'webhook.test', data: { subscriptionId: subscription.id } });
      expect(receiver.requests.find((r) => r.headers['webhook-id'] === result.eventId)!.verified).toBe(true);
      const delivery = await waitUntil(async () => {
        const current = await client.deliveries.get(result.deliveryId);
        return current.status === 'sent' && current;
      }, 5000, 'the test delivery to be sent');
      expect(delivery.id).toBe(result.deliveryId);
      const listed = await client.deliveries.list({ subscriptionId: subscription.id });
      expect(listed.data.map((d) => d.id)).toEqual([result.deliveryId]);
      expect(listed.meta.totalCount).toBe(1);
      expect((await client.deliveries.list({ connectionId: subscription.id })).meta.totalCount).toBe(0);

      // Paused, it takes no test events.
      await client.webhooks.update(subscription.id, { active: false });
      await expect(client.webhooks.test(subscription.id)).rejects.toBeInstanceOf(ConflictError);
      await expect(client.webhooks.test('whsub_missing')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('validates requests before sending', async () => {
      const badUrl = await rejection(client.webhooks.create({ url: 'ftp://hooks.example.com', events: ['*'] }));
      expect(badUrl).toBeInstanceOf(ValidationError);
      expect((badUrl as ValidationError).issues.map((i) => i.field)).toEqual(['url']);
      const badEvent = await rejection(client.webhooks.create({ url: 'https://hooks.example.com', events: ['message.deleted' as 'message.created'] }));
      expect((badEvent as ValidationError).issues.map((i) => i.field)).toEqual(['events.0']);
      await expect(client.webhooks.create({ url: 'https://hooks.example.com', events: ['*', 'message.created'] })).rejects.toThrow(/list it alone/);
      await expect(client.webhooks.create({ url: 'https://hooks.example.com', events: [] })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.webhooks.update('whsub_1', { active: 'yes' as unknown as boolean })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.webhooks.update('whsub_1', { secret: 'whsec_x' } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(client.webhooks.get('')).rejects.toBeInstanceOf(ValidationError);
      await expect(client.webhooks.test('')).rejects.toBeInstanceOf(ValidationError);
      await expect(client.webhooks.rotateSecret('')).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('handoff on client.conversations', () => {
    /** Calls the public runtime API the way the widget does. */
    async function runtime(path: string, token: string, body: unknown, headers: Record<string, string> = {}) {
      const response = await fetch(`${server.baseUrl}/v1/public/runtime${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, origin: ORIGIN, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as any };
    }

    /** A widget conversation in which the visitor said hello and the echo agent answered. */
    async function widgetConversation(): Promise<{ conversationId: string; channelId: string }> {
      const agent = await client.agents.create({ name: 'Echo' });
      const deployment = await client.deployments.create(agent.id, { allowedOrigins: [ORIGIN], channel: { channelIdentifier: uniqueSite() } });
      const started = await runtime('/sessions', deployment.token, {});
      expect(started.status).toBe(201);
      const { sessionId, visitorToken } = started.body.data as { sessionId: string; visitorToken: string };
      const sent = await runtime(`/sessions/${sessionId}/messages`, deployment.token, { text: 'Hello there', clientMessageId: 'c-1' }, { 'x-visitor-token': visitorToken });
      expect(sent.status).toBe(202);
      await server.app.conversations.drain();
      return { conversationId: sessionId, channelId: deployment.deploymentChannelId };
    }

    async function teamWithMember(name: string): Promise<{ team: Team; member: TeamMember }> {
      const team = await client.teams.create({ name });
      const member = await client.teams.addMember(team.id, { name: `${name} agent`, email: `${unique('agent')}@example.com` });
      return { team, member };
    }

    const stateOf = async (id: string): Promise<HandoffState> => (await client.conversations.get(id)).handoffState;

    it('hands a widget conversation to a team member, then resolves it and hands it back', async () => {
      expect(HANDOFF_STATES).toEqual(['bot', 'pending_human', 'human', 'resolved']);
      const { conversationId } = await widgetConversation();
      const { team, member } = await teamWithMember('Tier 2');
      const { member: outsider } = await teamWithMember('Elsewhere');
      expect(await client.conversations.get(conversationId)).toMatchObject({ handoffState: 'bot', assignedTeamId: null, assignedMemberId: null });

      const pending: Conversation = await client.conversations.handoff(conversationId, { teamId: team.id, reason: 'VIP customer' });
      expect(pending).toMatchObject({ id: conversationId, handoffState: 'pending_human', assignedTeamId: team.id, assignedMemberId: null });
      expect(pending).not.toHaveProperty('workspaceId');
      expect(await stateOf(conversationId)).toBe('pending_human');
      await expect(client.conversations.handoff(conversationId)).rejects.toBeInstanceOf(ConflictError);

      // Only a member of the team that has it may take it.
      const wrongTeam = await rejection(client.conversations.accept(conversationId, outsider.id));
      expect(wrongTeam).toBeInstanceOf(APIError);
      expect(wrongTeam).toMatchObject({ statusCode: 400 });
      await expect(client.conversations.accept(conversationId, 'tm_missing')).rejects.toBeInstanceOf(NotFoundError);

      const accepted = await client.conversations.accept(conversationId, member.id);
      expect(accepted).toMatchObject({ handoffState: 'human', assignedTeamId: team.id, assignedMemberId: member.id });
      expect(await stateOf(conversationId)).toBe('human');
      await expect(client.conversations.accept(conversationId, member.id)).rejects.toBeInstanceOf(ConflictError);

      const reply = await client.conversations.postMessage(conversationId, { role: 'human', memberId: member.id, text: 'Hi, I am taking over from here.' });
      expect(reply).toMatchObject({ conversationId, role: 'human', text: 'Hi, I am taking over from here.', authorId: member.id });
      expect(await stateOf(conversationId)).toBe('human');
      const transcript = await client.conversations.messages(conversationId);
      expect(transcript.data.map((m) => [m.role, m.text])).toEqual([
        ['contact', 'Hello there'],
        ['agent', 'Hello there'],
        ['human', 'Hi, I am taking over from here.'],
      ]);

      const resolved = await client.conversations.resolve(conversationId);
      expect(resolved).toMatchObject({ handoffState: 'resolved', assignedTeamId: team.id });
      expect(await stateOf(conversationId)).toBe('resolved');
      await expect(client.conversations.postMessage(conversationId, { role: 'human', memberId: member.id, text: 'One more thing' })).rejects.toBeInstanceOf(
        ConflictError,
      );

      const back = await client.conversations.handBack(conversationId);
      expect(back).toMatchObject({ handoffState: 'bot', assignedMemberId: null });
      expect(await stateOf(conversationId)).toBe('bot');
      // With the agent, there is nothing to resolve or hand back.
      await expect(client.conversations.resolve(conversationId)).rejects.toBeInstanceOf(ConflictError);
      await expect(client.conversations.handBack(conversationId)).rejects.toBeInstanceOf(ConflictError);
      expect(await stateOf(conversationId)).toBe('bot');
    });

    it("hands off to the channel's assignable team when none is named, and a member's reply takes the conversation", async () => {
      const { conversationId, channelId } = await widgetConversation();
      const { team, member } = await teamWithMember('Front desk');
      await client.teams.setChannelTeams(channelId, [team.id]);

      const pending = await client.conversations.handoff(conversationId);
      expect(pending).toMatchObject({ handoffState: 'pending_human', assignedTeamId: team.id });

      const reply = await client.conversations.postMessage(conversationId, { role: 'human', memberId: member.id, text: 'On it.' });
      expect(reply).toMatchObject({ role: 'human', authorId: member.id });
      expect(await client.conversations.get(conversationId)).toMatchObject({ handoffState: 'human', assignedMemberId: member.id });

      // Handing back straight from a person, without resolving, is allowed too.
      expect((await client.conversations.handBack(conversationId)).handoffState).toBe('bot');
      await client.teams.setChannelTeams(channelId, []);
    });

    it('validates requests before sending and maps an unknown conversation to NotFoundError', async () => {
      const noMember = await rejection(client.conversations.postMessage('conv_x', { role: 'human', text: 'hi' } as never));
      expect(noMember).toBeInstanceOf(ValidationError);
      expect((noMember as ValidationError).issues.map((i) => i.field)).toEqual(['memberId']);
      const agentWithMember = await rejection(
        // @ts-expect-error an agent reply has no memberId
        client.conversations.postMessage('conv_x', { text: 'hi', memberId: 'tm_1' }),
      );
      expect((agentWithMember as ValidationError).issues.map((i) => i.field)).toEqual(['memberId']);
      await expect(client.conversations.postMessage('conv_x', { role: 'human', memberId: 'tm_1', text: '  ' })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.conversations.handoff('conv_x', { reason: 'x'.repeat(501) })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.conversations.handoff('conv_x', { teamId: 'not a team!' })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.conversations.handoff('conv_x', { urgent: true } as never)).rejects.toBeInstanceOf(ValidationError);
      const noAcceptor = await rejection(client.conversations.accept('conv_x', ''));
      expect((noAcceptor as ValidationError).issues.map((i) => i.field)).toEqual(['memberId']);
      await expect(client.conversations.resolve('')).rejects.toBeInstanceOf(ValidationError);
      await expect(client.conversations.handBack('')).rejects.toBeInstanceOf(ValidationError);

      await expect(client.conversations.handoff('conv_doesnotexist')).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.conversations.accept('conv_doesnotexist', 'tm_1')).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.conversations.resolve('conv_doesnotexist')).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.conversations.handBack('conv_doesnotexist')).rejects.toBeInstanceOf(NotFoundError);
      await expect(client.conversations.postMessage('conv_doesnotexist', { role: 'human', memberId: 'tm_1', text: 'hi' })).rejects.toBeInstanceOf(NotFoundError);
      const { conversationId } = await widgetConversation();
      await expect(client.conversations.handoff(conversationId, { teamId: 'team_missing' })).rejects.toBeInstanceOf(NotFoundError);
      expect(await stateOf(conversationId)).toBe('bot');
    });
  });
});
