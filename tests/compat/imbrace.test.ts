/**
 * iMBRACE's `client.channel` (imbraceltd/api-sdk, ts/src/resources/channel.ts) pointed at
 * Switchboard: each of its 30 methods sends here exactly the request the SDK sends (method, path
 * under `{base}/v1|v2|v3`, query, `x-api-key`, JSON body) and checks what the SDK hands its caller,
 * which is the raw JSON of a 2xx answer (and an error carrying the status otherwise).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../helpers/engines.js';
import { activate, seedMetaCredential, startWithMetaAndLine, type ChannelServiceServer } from '../channel-service/harness.js';

const TOKEN = 'EAAGimbraceSystemToken';
const PHONE = '106540352249999';
const PAGE_A = '104745862400001';
const PAGE_B = '104745862400002';
const IG = '17841400000000077';
const BOT = `U${'d'.repeat(32)}`;

class SdkError extends Error {
  constructor(readonly status: number, readonly body: string) {
    super(`HTTP ${status}`);
  }
}

/** The requests of the SDK's ChannelResource, as its source builds them, over its transport's API-key mode. */
function imbraceChannel(base: string, apiKey: string) {
  const sent: { method: string; url: string }[] = [];
  const call = async (method: string, url: string | URL, body?: unknown, parse = true) => {
    sent.push({ method, url: String(url).replace(base, '') });
    const headers = new Headers(body === undefined ? {} : { 'Content-Type': 'application/json' });
    headers.set('x-api-key', apiKey);
    const response = await fetch(url, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
    if (!response.ok) throw new SdkError(response.status, await response.text());
    return parse ? response.json() : undefined;
  };
  const v1 = `${base}/v1`;
  const v2 = `${base}/v2`;
  const v3 = `${base}/v3`;
  const methods = {
    list: (params?: { type?: string }) => {
      const url = new URL(`${v1}/channels`);
      if (params?.type) url.searchParams.set('type', params.type);
      return call('GET', url);
    },
    get: (id: string) => call('GET', `${v1}/channels/${id}`),
    create: (body: object) => call('POST', `${v1}/channels`, body),
    update: (id: string, body: object) => call('PUT', `${v1}/channels/${id}`, body),
    delete: (id: string) => call('DELETE', `${v1}/channels/${id}`),
    deleteV3: (id: string) => call('DELETE', `${v3}/channels/${id}`),
    getCount: () => call('GET', `${v1}/channels/_count`),
    getConvCount: (params?: { view?: string; teamId?: string }) => {
      const url = new URL(`${v1}/channels/_conv_count`);
      if (params?.view) url.searchParams.set('view', params.view);
      if (params?.teamId) url.searchParams.set('team_id', params.teamId);
      return call('GET', url);
    },
    replace: (body: object) => call('POST', `${v1}/channels/_replace`, body),
    createWeb: (body: object) => call('POST', `${v1}/channels/_web`, body),
    createWebV3: (body: object) => call('POST', `${v3}/channels/_web`, body),
    getFacebookPages: (credentialId: string) => call('GET', `${v1}/channels/_facebook/credential/${credentialId}`),
    createFacebook: (body: object) => call('POST', `${v3}/channels/_facebook`, body),
    updateFacebook: (body: object) => call('PUT', `${v2}/channels/_facebook`, body),
    createInstagram: (body: object) => call('POST', `${v1}/channels/_instagram`, body),
    createInstagramV2: (body: object) => call('POST', `${v1}/channels/_instagramV2`, body),
    createEmail: (body: object) => call('POST', `${v1}/channels/_email`, body),
    createWechat: (body: object) => call('POST', `${v1}/channels/_wechat`, body),
    createLine: (body: object) => call('POST', `${v1}/channels/_line`, body),
    createWhatsApp: (body: object) => call('POST', `${v1}/channels/_whatsapp`, body),
    createWhatsAppV2: (body: object) => call('POST', `${v2}/channels/_whatsapp`, body),
    createWhatsAppV3: (body: object) => call('POST', `${v3}/channels/_whatsapp`, body),
    updateWhatsApp: (body: object) => call('PUT', `${v2}/channels/_whatsapp`, body),
    getCredential: (id: string) => call('GET', `${v1}/channels/credentials/${id}`),
    updateCredential: (id: string, body: object) => call('PUT', `${v1}/channels/credentials/${id}`, body),
    deleteCredential: (id: string) => call('DELETE', `${v1}/channels/credentials/${id}`, undefined, false),
    updateChannelWorkflow: (workflowId: string, body: object) => call('PUT', `${v1}/channels/workflows/${workflowId}`, body),
    deleteChannelWorkflow: (workflowId: string) => call('DELETE', `${v1}/channels/workflows/${workflowId}`, undefined, false),
    listAssignableTeams: () => call('GET', `${v1}/assign/teams/all`),
    listTeamObservers: (teamId: string) => call('GET', `${v1}/assign/team/${teamId}/observers`),
  };
  const called = new Set<string>();
  const tracked = Object.fromEntries(
    Object.entries(methods).map(([name, method]) => [name, (...args: unknown[]) => (called.add(name), (method as (...a: unknown[]) => unknown)(...args))]),
  ) as unknown as typeof methods;
  return { ...tracked, sent, called, all: Object.keys(methods) };
}

const METHODS = 30;

describe.each(ENGINES)("iMBRACE's client.channel against Switchboard on %s", (engine) => {
  let fakes: Awaited<ReturnType<typeof startWithMetaAndLine>>;
  let server: ChannelServiceServer;

  beforeAll(async () => {
    fakes = await startWithMetaAndLine(engine, {
      accessToken: TOKEN,
      phoneNumberId: PHONE,
      displayPhoneNumber: '+1 202-555-0188',
      pages: [
        { id: PAGE_A, name: 'Acme', category: 'Software', instagramBusinessAccount: { id: IG, username: 'acme' } },
        { id: PAGE_B, name: 'Acme Careers' },
      ],
      lineToken: 'imbrace-line-token',
      bot: { userId: BOT, displayName: 'Imbrace Bot' },
    });
    server = fakes.server;
  });
  afterAll(() => fakes?.close());

  it('answers every one of the SDK methods at its own path', async () => {
    const { apiKey, workspaceId } = await server.newWorkspace();
    const sdk = imbraceChannel(`${server.baseUrl}/channel-service`, apiKey);
    const credentialId = `imb_cred_${engine}`;
    await seedMetaCredential(server, workspaceId, { id: credentialId, accessToken: TOKEN });

    // Per-type creation, every spelling.
    const web = await sdk.createWeb({ name: 'Website Chat' });
    expect(web).toMatchObject({ type: 'web', name: 'Website Chat', organization_id: workspaceId, is_active: false });
    const webV3 = await sdk.createWebV3({ name: 'Website Chat v3' });
    expect(webV3).toMatchObject({ type: 'web', name: 'Website Chat v3' });
    const whatsapp = await sdk.createWhatsApp({ phone_number_id: PHONE, access_token: TOKEN });
    expect(whatsapp).toMatchObject({ type: 'whatsapp', identifier: '+12025550188' });
    for (const create of [sdk.createWhatsAppV2, sdk.createWhatsAppV3]) {
      // The same number again: the spellings reach the same creation, which refuses a duplicate.
      const duplicate = await create({ phone_number_id: PHONE, access_token: TOKEN }).catch((error: unknown) => error);
      expect(duplicate).toMatchObject({ status: 409 });
    }
    expect(await sdk.updateWhatsApp({ id: whatsapp.id, name: 'WA renamed' })).toMatchObject({ id: whatsapp.id, name: 'WA renamed' });

    const pages = (await sdk.getFacebookPages(credentialId)) as { _id: string; name: string }[];
    expect(pages.map((page) => page._id)).toEqual([PAGE_A, PAGE_B]);
    const facebook = await sdk.createFacebook({ page_id: pages[1]!._id, credential_id: credentialId });
    expect(facebook).toMatchObject({ type: 'facebook', identifier: PAGE_B });
    expect(await sdk.updateFacebook({ id: facebook.id, name: 'Careers' })).toMatchObject({ name: 'Careers' });
    const instagram = await sdk.createInstagramV2({ page_id: PAGE_A, credential_id: credentialId });
    expect(instagram).toMatchObject({ type: 'instagram', identifier: IG });
    const instagramAgain = await sdk.createInstagram({ page_id: PAGE_A, credential_id: credentialId }).catch((error: unknown) => error);
    expect(instagramAgain).toMatchObject({ status: 409 });
    const email = await sdk.createEmail({ name: 'Support Inbox', email: 'support@example.com' });
    expect(email).toMatchObject({ type: 'email', identifier: 'support@example.com' });
    const wechat = await sdk.createWechat({ original_id: 'gh_imbrace', app_id: 'wx1234567890abcdef', app_secret: 'wechat-secret' });
    expect(wechat).toMatchObject({ type: 'wechat', identifier: 'gh_imbrace' });
    const lineChannel = await sdk.createLine({ channel_secret: 'line-secret', channel_access_token: 'imbrace-line-token' });
    expect(lineChannel).toMatchObject({ type: 'line', identifier: BOT });
    const generic = await sdk.create({ type: 'web', name: 'Generic' });
    expect(generic).toMatchObject({ type: 'web', name: 'Generic' });

    // Core CRUD and counts.
    expect(await sdk.getCount()).toEqual({ count: 9 });
    const listed = (await sdk.list({ type: 'web' })) as { id: string }[];
    expect(listed.map((c) => c.id)).toEqual([web.id, webV3.id, generic.id]);
    expect(await sdk.get(email.id)).toEqual(email);
    expect(await sdk.update(web.id, { config: { widgetConfiguration: { position: 'left' } } })).toMatchObject({ config: { widgetConfiguration: { position: 'left' } } });
    const replaced = await sdk.replace({ channel_id: web.id, name: 'Replaced', config: { widgetConfiguration: { position: 'right' } } });
    expect(replaced).toMatchObject({ id: web.id, name: 'Replaced', config: { widgetConfiguration: { position: 'right' } } });
    expect(await sdk.getConvCount({ view: 'all' })).toEqual({ count: 0, view: 'all', team_id: null });

    // Credentials.
    const credential = await sdk.getCredential(whatsapp.credential_id);
    expect(credential).toMatchObject({ _id: whatsapp.credential_id, type: 'whatsapp' });
    expect(await sdk.updateCredential(whatsapp.credential_id, { name: 'Acme WhatsApp' })).toMatchObject({ name: 'Acme WhatsApp' });

    // Workflows, addressed by the workflow's id as the SDK names it.
    const now = Date.now();
    const workflowId = `wf_imb_${engine}`;
    await server.db.insertInto('workflows').values({ id: workflowId, workspace_id: workspaceId, name: 'Routing', definition: '{}', created_at: now, updated_at: now }).execute();
    const attached = await sdk.updateChannelWorkflow(workflowId, { channel_id: email.id });
    expect(attached).toMatchObject({ success: true, id: email.id, workflow_id: workflowId });
    await sdk.deleteChannelWorkflow(workflowId);
    expect((await sdk.get(email.id)).workflow_id).toBeNull();

    // Teams.
    await server.db
      .insertInto('teams')
      .values({ id: `team_imb_${engine}`, workspace_id: workspaceId, name: 'Support', description: null, helpdesk_connection_id: null, created_at: now, updated_at: now })
      .execute();
    await server.db
      .insertInto('team_members')
      .values({ id: `tm_imb_${engine}`, workspace_id: workspaceId, team_id: `team_imb_${engine}`, kind: 'observer', name: 'Bo', email: 'bo@example.com', role: null, created_at: now })
      .execute();
    expect(await sdk.listAssignableTeams()).toEqual([expect.objectContaining({ _id: `team_imb_${engine}`, name: 'Support' })]);
    expect(((await sdk.listTeamObservers(`team_imb_${engine}`)) as { name: string }[]).map((o) => o.name)).toEqual(['Bo']);

    // Deletion, last.
    await activate(server, workspaceId, generic.id, 'paused');
    expect(await sdk.deleteV3(generic.id)).toEqual({ success: true });
    expect(await sdk.delete(webV3.id)).toEqual({ success: true });
    await sdk.delete(lineChannel.id);
    await sdk.deleteCredential(lineChannel.credential_id);
    await expect(sdk.getCredential(lineChannel.credential_id)).rejects.toMatchObject({ status: 404 });

    expect(sdk.all).toHaveLength(METHODS);
    expect([...sdk.called].sort()).toEqual([...sdk.all].sort());
  });

  it('counts open conversations for the inbox by view and team', async () => {
    const { apiKey, workspaceId } = await server.newWorkspace();
    const sdk = imbraceChannel(`${server.baseUrl}/channel-service`, apiKey);
    const channel = await sdk.createWeb({ name: 'Counted' });
    const deployment = await activate(server, workspaceId, channel.id, 'active');
    const now = Date.now();
    const conversation = (id: string, state: string, team: string | null, member: string | null, status = 'open') => ({
      id,
      workspace_id: workspaceId,
      channel_id: channel.id,
      agent_id: deployment.agentId,
      contact_id: `ct_${id}`,
      web_deployment_id: null,
      status,
      handoff_state: state,
      assigned_team_id: team,
      assigned_member_id: member,
      helpdesk_ref: null,
      created_at: now,
      updated_at: now,
      last_message_at: null,
    });
    const ids = ['a', 'b', 'c', 'd', 'e'].map((letter) => `${letter}_${engine}`);
    await server.db
      .insertInto('contacts')
      .values(ids.map((id) => ({ id: `ct_conv_${id}`, workspace_id: workspaceId, channel_id: channel.id, visitor_token_hash: null, external_id: id, display_name: null, attributes: null, created_at: now, last_seen_at: now })))
      .execute();
    await server.db
      .insertInto('conversations')
      .values([
        conversation(`conv_a_${engine}`, 'bot', null, null),
        conversation(`conv_b_${engine}`, 'pending_human', 'team_x', null),
        conversation(`conv_c_${engine}`, 'human', 'team_x', 'tm_ana'),
        conversation(`conv_d_${engine}`, 'resolved', 'team_x', 'tm_ana'),
        conversation(`conv_e_${engine}`, 'bot', null, null, 'closed'),
      ])
      .execute();
    expect(await sdk.getConvCount()).toMatchObject({ count: 3 });
    expect(await sdk.getConvCount({ view: 'all', teamId: 'team_x' })).toEqual({ count: 2, view: 'all', team_id: 'team_x' });
    expect(await sdk.getConvCount({ view: 'waiting' })).toMatchObject({ count: 1 });
    expect(await sdk.getConvCount({ view: 'assigned' })).toMatchObject({ count: 1 });
    expect(await sdk.getConvCount({ view: 'unassigned' })).toMatchObject({ count: 2 });
    const mine = await sdk.getConvCount({ view: 'mine' }).catch((error: unknown) => error);
    expect(mine).toMatchObject({ status: 400 });
    expect((mine as SdkError).body).toContain('mine needs a signed-in member');
  });
});
