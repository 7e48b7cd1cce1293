/**
 * WIIL's SDK (wiil-io/wiil-js) pointed at Switchboard. Each method of its service-management
 * resources `phoneConfigs`, `deploymentConfigs`, `agentConfigs`, `instructionConfigs` and
 * `deploymentChannels` (src/resources/service-mgt/*.ts) sends here exactly the request its source
 * builds: the method, the path under the base URL (`…/v1`), the query, the `X-Wiil-Api-Key`
 * header its HttpClient sets on every request, `Content-Type: application/json` on bodies, and
 * the body as the caller passed it (taken from the resource's own *.test.ts). Each test checks
 * what the SDK hands its caller after its HttpClient's unwrapping: `body.data` of a 2xx with
 * `success: true`; otherwise a WiilAPIError of `message`, `status`, `code` and `meta`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentRunner } from '@switchboard/server';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { recordingLogger, startFakeServer, type FakeServer } from '../agents/fake-server.js';

/** What WIIL's HttpClient throws for an answer it does not accept (src/errors/WiilError.ts). */
class WiilAPIError extends Error {
  constructor(
    message: string,
    readonly statusCode?: number,
    readonly code?: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Page = { page?: number; pageSize?: number };

/** The resources' query strings: `page` and `pageSize`, each only when truthy. */
function pageQuery(params?: Page): string {
  const query = new URLSearchParams();
  if (params?.page) query.append('page', params.page.toString());
  if (params?.pageSize) query.append('pageSize', params.pageSize.toString());
  return query.toString() ? `?${query.toString()}` : '';
}

/** WIIL's client: its HttpClient (src/client/HttpClient.ts) and the five resources, as their sources build each request. */
function wiilClient(t: TestApp, apiKey: string) {
  async function send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<any> {
    const headers: Record<string, string> = { accept: 'application/json, text/plain, */*', 'x-wiil-api-key': apiKey };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await t.app.server.inject({
      method,
      url: `/v1${path}`,
      headers,
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    let data: any;
    try {
      data = JSON.parse(response.body);
    } catch {
      data = response.body;
    }
    const status = response.statusCode;
    // A 2xx without `success` is refused by the response interceptor; any other status by handleError.
    if (data && !data.success) throw new WiilAPIError(data.message || 'Request failed', data.status || status, data.code || 'API_ERROR', data.meta);
    if (status < 200 || status >= 300) throw new WiilAPIError(`Request failed with status ${status}`, status, 'UNKNOWN_ERROR', data);
    return data.data;
  }
  const get = (path: string) => send('GET', path);
  const post = (path: string, body: unknown) => send('POST', path, body);
  const patch = (path: string, body: unknown) => send('PATCH', path, body);
  const del = (path: string) => send('DELETE', path);

  return {
    phoneConfigs: {
      get: (id: string) => get(`/phone-configurations/${id}`),
      getByPhoneNumber: (phoneNumber: string) => get(`/phone-configurations/by-phone-number/${encodeURIComponent(phoneNumber)}`),
      getByRequestId: (requestId: string) => get(`/phone-configurations/by-request/${requestId}`),
      update: (data: object) => patch('/phone-configurations', data),
      delete: (id: string) => del(`/phone-configurations/${id}`),
      list: (params?: Page) => get(`/phone-configurations${pageQuery(params)}`),
    },
    deploymentConfigs: {
      create: (data: object) => post('/deployment-configurations', data),
      createChain: (data: object) => post('/deployment-configurations', data),
      get: (id: string) => get(`/deployment-configurations/${id}`),
      getByChannel: (channelId: string) => get(`/deployment-configurations/by-channel/${channelId}`),
      update: (data: object) => patch('/deployment-configurations', data),
      delete: (id: string) => del(`/deployment-configurations/${id}`),
      list: (params?: Page) => get(`/deployment-configurations${pageQuery(params)}`),
      listByProject: (projectId: string, params?: Page) => get(`/deployment-configurations/by-project/${projectId}${pageQuery(params)}`),
      listByAgent: (agentId: string, params?: Page) => get(`/deployment-configurations/by-agent/${agentId}${pageQuery(params)}`),
      listByInstruction: (instructionId: string, params?: Page) =>
        get(`/deployment-configurations/by-instruction/${instructionId}${pageQuery(params)}`),
    },
    agentConfigs: {
      create: (data: object) => post('/agent-configurations', data),
      get: (id: string) => get(`/agent-configurations/${id}`),
      getGraph: (id: string) => get(`/agent-configurations/${id}/graph`),
      update: (data: object) => patch('/agent-configurations', data),
      delete: (id: string) => del(`/agent-configurations/${id}`),
      list: (params?: Page) => get(`/agent-configurations${pageQuery(params)}`),
    },
    instructionConfigs: {
      create: (data: object) => post('/instruction-configurations', data),
      get: (id: string) => get(`/instruction-configurations/${id}`),
      update: (data: object) => patch('/instruction-configurations', data),
      delete: (id: string) => del(`/instruction-configurations/${id}`),
      list: (params?: Page) => get(`/instruction-configurations${pageQuery(params)}`),
      getSupportedTemplates: () => get('/instruction-configurations/supported-templates'),
    },
    deploymentChannels: {
      create: (data: object) => post('/deployment-channels', data),
      get: (id: string) => get(`/deployment-channels/${id}`),
      getByIdentifier: (identifier: string, type: string) => get(`/deployment-channels/by-identifier/${encodeURIComponent(identifier)}?type=${type}`),
      update: (data: object) => patch('/deployment-channels', data),
      delete: (id: string) => del(`/deployment-channels/${id}`),
      list: (params?: Page) => get(`/deployment-channels${pageQuery(params)}`),
      listByType: (type: string, params?: Page) => get(`/deployment-channels/by-type/${type}${pageQuery(params)}`),
    },
  };
}

/** The WiilAPIError a call ends in, as its caller sees it. */
async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof WiilAPIError)) throw error;
    return { message: error.message, statusCode: error.statusCode, code: error.code, details: error.details };
  }
  throw new Error('expected the call to fail');
}

/** A list as WIIL's SDK returns it: the envelope's `data` is the page. */
function listPage(data: unknown[], meta: { page?: number; pageSize?: number; totalCount: number }) {
  const page = meta.page ?? 1;
  const pageSize = meta.pageSize ?? 20;
  const totalPages = Math.ceil(meta.totalCount / pageSize);
  return { data, meta: { page, pageSize, totalCount: meta.totalCount, totalPages, hasNextPage: page < totalPages, hasPreviousPage: page > 1 } };
}

const time = expect.any(Number);

describe.each(ENGINES)("WIIL's SDK against Switchboard on %s", (engine) => {
  let t: TestApp;
  let wiil: ReturnType<typeof wiilClient>;
  let sites = 0;
  const site = () => `https://wiil-${++sites}.example.com`;

  beforeAll(async () => {
    t = await createTestApp(engine);
    wiil = wiilClient(t, t.apiKey);
  });
  afterAll(async () => {
    await t.close();
  });

  /** A phone number registered through Switchboard's own API (WIIL's SDK can only buy numbers). */
  async function registerPhone(phoneNumber: string, friendlyName = 'Customer Support Line') {
    const response = await t.request('POST', '/v1/phone-configurations', { phoneNumber, provider: 'twilio', friendlyName });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body.data as { id: string; createdAt: number };
  }

  const webChannelInput = (channelIdentifier = site()) => ({
    deploymentType: 'web',
    channelName: 'Website Chat Widget',
    recordingEnabled: true,
    channelIdentifier,
    configuration: { communicationType: 'unified', widgetConfiguration: { position: 'right', customTheme: { primaryColor: '#007bff' } } },
  });

  const webChannel = (id: string, channelIdentifier: string) => ({
    id,
    deploymentType: 'web',
    channelName: 'Website Chat Widget',
    recordingEnabled: true,
    channelIdentifier,
    configuration: { communicationType: 'unified', widgetConfiguration: { position: 'right', customTheme: { primaryColor: '#007bff' } } },
    createdAt: time,
    updatedAt: time,
  });

  // ── deploymentChannels ────────────────────────────────────────────────────

  describe('deploymentChannels', () => {
    it('create, get, getByIdentifier, update, list, listByType and delete a calls channel, as in its tests', async () => {
      const phone = await registerPhone('+12125551234');
      const input = {
        deploymentType: 'calls',
        channelName: 'Customer Support Line',
        recordingEnabled: true,
        channelIdentifier: '+12125551234',
        configuration: { phoneConfigurationId: phone.id },
      };
      const created = await wiil.deploymentChannels.create(input);
      const expected = { id: expect.stringMatching(/^chan_/), ...input, createdAt: time, updatedAt: time };
      expect(created).toEqual(expected);

      expect(await wiil.deploymentChannels.get(created.id)).toEqual(created);
      expect(await wiil.deploymentChannels.getByIdentifier('+12125551234', 'calls')).toEqual(created);
      // The resource's own DeploymentType enum is upper-case.
      expect(await wiil.deploymentChannels.getByIdentifier('+12125551234', 'CALLS')).toEqual(created);

      const updated = await wiil.deploymentChannels.update({ id: created.id, channelName: 'Updated Support Line', recordingEnabled: false });
      expect(updated).toEqual({ ...created, channelName: 'Updated Support Line', recordingEnabled: false, updatedAt: time });
      expect(updated.updatedAt).toBeGreaterThan(created.updatedAt);

      expect(await wiil.deploymentChannels.listByType('calls')).toEqual(listPage([updated], { totalCount: 1 }));
      expect(await wiil.deploymentChannels.listByType('CALLS', { page: 1, pageSize: 5 })).toEqual(listPage([updated], { pageSize: 5, totalCount: 1 }));

      expect(await wiil.deploymentChannels.delete(created.id)).toBe(true);
      expect(await failure(wiil.deploymentChannels.get(created.id))).toEqual({
        message: 'Deployment channel not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { id: created.id },
      });
      await t.request('DELETE', `/v1/phone-configurations/${phone.id}`);
    });

    it('create a web channel and page through list', async () => {
      const before = (await wiil.deploymentChannels.list()).meta.totalCount as number;
      const identifier = site();
      const created = await wiil.deploymentChannels.create(webChannelInput(identifier));
      expect(created).toEqual(webChannel(created.id, identifier));
      expect(await wiil.deploymentChannels.getByIdentifier(identifier, 'web')).toEqual(created);

      const all = await wiil.deploymentChannels.list();
      expect(all).toEqual(listPage(expect.arrayContaining([created]) as unknown as unknown[], { totalCount: before + 1 }));
      const last = await wiil.deploymentChannels.list({ page: before + 1, pageSize: 1 });
      expect(last).toEqual(listPage([created], { page: before + 1, pageSize: 1, totalCount: before + 1 }));

      expect(await failure(wiil.deploymentChannels.delete('invalid_id'))).toEqual({
        message: 'Deployment channel not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { id: 'invalid_id' },
      });
      expect(await wiil.deploymentChannels.delete(created.id)).toBe(true);
    });
  });

  // ── phoneConfigs ──────────────────────────────────────────────────────────

  describe('phoneConfigs', () => {
    let phoneId: string;
    let channelId: string;
    let expected: Record<string, unknown>;

    beforeAll(async () => {
      phoneId = (await registerPhone('+12125551111', 'Support Line 1')).id;
      const channel = await wiil.deploymentChannels.create({
        deploymentType: 'calls',
        channelIdentifier: '+12125551111',
        configuration: { phoneConfigurationId: phoneId },
      });
      channelId = channel.id;
      expected = {
        id: phoneId,
        phoneNumber: '+12125551111',
        provider: 'twilio',
        providerType: 'twilio',
        friendlyName: 'Support Line 1',
        status: 'CALL_ACTIVE',
        voiceChannelId: channelId,
        smsChannelId: null,
        connectionId: null,
        isImported: true,
        isPorted: false,
        markedForRelease: false,
        isUSSMSPermitted: false,
        providerPhoneNumberId: null,
        phoneRequestId: null,
        createdAt: time,
        updatedAt: time,
      };
    });

    it('get answers WIIL’s phone configuration: a registered number is imported, its status from the channels using it', async () => {
      expect(await wiil.phoneConfigs.get(phoneId)).toEqual(expected);
      expect(await failure(wiil.phoneConfigs.get('invalid_id'))).toEqual({
        message: 'Phone configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { id: 'invalid_id' },
      });
    });

    it('getByPhoneNumber finds it by its URL-encoded E.164 number', async () => {
      expect(await wiil.phoneConfigs.getByPhoneNumber('+12125551111')).toEqual(expected);
    });

    it('status follows the channels: ACTIVE with calls and sms, SMS_ACTIVE with sms alone, INACTIVE with none', async () => {
      const sms = await wiil.deploymentChannels.create({
        deploymentType: 'sms',
        channelIdentifier: '+12125551111',
        configuration: { phoneConfigurationId: phoneId },
      });
      expect(await wiil.phoneConfigs.get(phoneId)).toEqual({ ...expected, status: 'ACTIVE', smsChannelId: sms.id });

      const other = await registerPhone('+18885552222', 'Toll-Free Line');
      expect((await wiil.phoneConfigs.get(other.id)).status).toBe('INACTIVE');
      const otherSms = await wiil.deploymentChannels.create({
        deploymentType: 'sms',
        channelIdentifier: '+18885552222',
        configuration: { phoneConfigurationId: other.id },
      });
      expect((await wiil.phoneConfigs.get(other.id)).status).toBe('SMS_ACTIVE');

      expect(await wiil.deploymentChannels.delete(sms.id)).toBe(true);
      expect(await wiil.deploymentChannels.delete(otherSms.id)).toBe(true);
      expect(await wiil.phoneConfigs.delete(other.id)).toBe(true);
    });

    it('getByRequestId answers 404: Switchboard buys no numbers, so none has a purchase request', async () => {
      expect(await failure(wiil.phoneConfigs.getByRequestId('request_123'))).toEqual({
        message: 'Phone configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: {
          phoneRequestId: 'request_123',
          reason: 'Switchboard does not buy phone numbers, so no phone configuration has a purchase request',
        },
      });
    });

    it('update sends the id in the body (PATCH /phone-configurations), and friendlyName may be null', async () => {
      const renamed = await wiil.phoneConfigs.update({ id: phoneId, friendlyName: 'Updated Support Line' });
      expect(renamed).toEqual({ ...expected, friendlyName: 'Updated Support Line' });
      expect(renamed.updatedAt).toBeGreaterThanOrEqual((await t.request('GET', `/v1/phone-configurations/${phoneId}`)).body.data.createdAt);
      expect(await wiil.phoneConfigs.update({ id: phoneId, friendlyName: null })).toEqual({ ...expected, friendlyName: null });
      expect(await wiil.phoneConfigs.get(phoneId)).toEqual({ ...expected, friendlyName: null });

      expect(await failure(wiil.phoneConfigs.update({ id: 'phone_missing', friendlyName: 'x' }))).toEqual({
        message: 'Phone configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { id: 'phone_missing' },
      });
      await wiil.phoneConfigs.update({ id: phoneId, friendlyName: 'Support Line 1' });
    });

    it('list answers one page, as { data, meta }', async () => {
      const page = await wiil.phoneConfigs.list();
      expect(page).toEqual(listPage(expect.arrayContaining([expected]) as unknown as unknown[], { totalCount: page.data.length }));
      expect(await wiil.phoneConfigs.list({ page: 2, pageSize: 50 })).toEqual(listPage([], { page: 2, pageSize: 50, totalCount: page.data.length }));
    });

    it('delete answers true; 409 while a channel uses the number, 404 for an unknown id', async () => {
      const refused = await failure(wiil.phoneConfigs.delete(phoneId));
      expect(refused).toEqual({
        message: `Phone configuration is used by channel ${channelId}; delete the channel first`,
        statusCode: 409,
        code: 'CONFLICT',
        details: { channelIds: [channelId] },
      });
      expect(await wiil.deploymentChannels.delete(channelId)).toBe(true);
      expect(await wiil.phoneConfigs.delete(phoneId)).toBe(true);
      expect(await failure(wiil.phoneConfigs.delete('invalid_id'))).toEqual({
        message: 'Phone configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { id: 'invalid_id' },
      });
    });
  });

  // ── instructionConfigs ────────────────────────────────────────────────────

  const instructionInput = {
    instructionName: 'customer-support-agent',
    role: 'Customer Support Specialist',
    introductionMessage: 'Hello! How can I help you today?',
    instructions: 'You are a helpful customer support agent. Always be polite and professional.',
    guardrails: 'Never share sensitive customer data. Always verify identity before providing account information.',
    supportedServices: ['appointment_management'],
    knowledgeSourceIds: ['ks_789'],
    isTemplate: false,
    isPrimary: false,
    metadata: { version: '1.0' },
  };

  describe('instructionConfigs', () => {
    it('create answers the instruction configuration as sent, with an agent id', async () => {
      const created = await wiil.instructionConfigs.create(instructionInput);
      expect(created).toEqual({ id: expect.stringMatching(/^agent_/), ...instructionInput, createdAt: time, updatedAt: time });
      expect(await wiil.instructionConfigs.get(created.id)).toEqual(created);

      // It is a Switchboard agent named after it, with its instructions and greeting.
      const agent = (await t.request('GET', `/v1/agents/${created.id}`)).body.data;
      expect(agent).toMatchObject({
        name: 'customer-support-agent',
        instructions: instructionInput.instructions,
        introductionMessage: instructionInput.introductionMessage,
        backend: { type: 'echo' },
      });
      // …which is not an agent configuration until one names it.
      expect(await failure(wiil.agentConfigs.get(created.id))).toEqual({
        message: 'Agent configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { id: created.id },
      });
      expect(await wiil.instructionConfigs.delete(created.id)).toBe(true);
    });

    it('get answers 404 for an unknown id', async () => {
      expect(await failure(wiil.instructionConfigs.get('invalid_id'))).toEqual({
        message: 'Instruction configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { id: 'invalid_id' },
      });
    });

    it('update changes the fields sent (id in the body)', async () => {
      const created = await wiil.instructionConfigs.create(instructionInput);
      const updated = await wiil.instructionConfigs.update({
        id: created.id,
        introductionMessage: 'Hi there! How may I assist you today?',
        guardrails: 'Updated safety guidelines: Never share sensitive customer data.',
      });
      expect(updated).toEqual({
        ...created,
        introductionMessage: 'Hi there! How may I assist you today?',
        guardrails: 'Updated safety guidelines: Never share sensitive customer data.',
        updatedAt: time,
      });
      expect(await wiil.instructionConfigs.get(created.id)).toEqual(updated);
      expect(await failure(wiil.instructionConfigs.update({ id: 'instr_missing', role: 'x' }))).toEqual({
        message: 'Instruction configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { id: 'instr_missing' },
      });
      expect(await wiil.instructionConfigs.delete(created.id)).toBe(true);
    });

    it("list answers every agent's instruction configuration; an agent made through /v1/agents shows WIIL's defaults", async () => {
      const native = (await t.request('POST', '/v1/agents', { name: 'Native', instructions: 'Be brief.', introductionMessage: null })).body.data;
      const created = await wiil.instructionConfigs.create(instructionInput);
      const nativeView = {
        id: native.id,
        instructionName: 'Native',
        role: '',
        introductionMessage: '',
        instructions: 'Be brief.',
        guardrails: '',
        supportedServices: [],
        isTemplate: false,
        isPrimary: false,
        knowledgeSourceIds: [],
        createdAt: native.createdAt,
        updatedAt: native.updatedAt,
      };
      const page = await wiil.instructionConfigs.list();
      expect(page.data).toEqual(expect.arrayContaining([nativeView, created]));
      expect(page.meta).toEqual(listPage([], { totalCount: page.data.length }).meta);
      expect(await wiil.instructionConfigs.list({ page: 2, pageSize: 50 })).toEqual(listPage([], { page: 2, pageSize: 50, totalCount: page.data.length }));

      // The native agent is an agent configuration, whose instructions these are.
      expect(await failure(wiil.instructionConfigs.delete(native.id))).toEqual({
        message: `Instruction configuration ${native.id} holds the instructions of agent configuration ${native.id}; delete the agent configuration first`,
        statusCode: 409,
        code: 'CONFLICT',
        details: { agentConfigurationId: native.id },
      });
      expect(await wiil.agentConfigs.delete(native.id)).toBe(true);
      expect(await wiil.instructionConfigs.delete(created.id)).toBe(true);
    });

    it('getSupportedTemplates answers an empty list: Switchboard offers no templates', async () => {
      expect(await wiil.instructionConfigs.getSupportedTemplates()).toEqual([]);
    });

    it('delete answers true, then 404', async () => {
      const created = await wiil.instructionConfigs.create(instructionInput);
      expect(await wiil.instructionConfigs.delete(created.id)).toBe(true);
      expect(await failure(wiil.instructionConfigs.delete(created.id))).toEqual({
        message: 'Instruction configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { id: created.id },
      });
    });

    it('refuses a body WIIL’s schema would refuse, naming the field', async () => {
      const refused = await failure(wiil.instructionConfigs.create({ ...instructionInput, isPrimary: 'yes' }));
      expect(refused).toMatchObject({ statusCode: 400, code: 'VALIDATION_ERROR', message: expect.stringContaining('isPrimary') });
      expect(refused.details).toEqual({ details: [{ field: 'isPrimary', message: 'must be true or false' }] });
    });
  });

  // ── agentConfigs ──────────────────────────────────────────────────────────

  const agentInput = (instructionConfigurationId?: string) => ({
    name: 'Customer Service Agent',
    modelId: 'model_gpt4_turbo',
    ...(instructionConfigurationId !== undefined && { instructionConfigurationId }),
    defaultFunctionState: 'multi_mode',
    usesWiilSupportModel: true,
    assistantType: 'general',
    call_transfer_config: [],
    metadata: { department: 'support' },
  });

  describe('agentConfigs', () => {
    it('create with an instruction configuration made first: that agent becomes the agent configuration, one id for both', async () => {
      const instruction = await wiil.instructionConfigs.create(instructionInput);
      const created = await wiil.agentConfigs.create(agentInput(instruction.id));
      expect(created).toEqual({
        id: instruction.id,
        ...agentInput(instruction.id),
        backend: { type: 'echo' },
        createdAt: instruction.createdAt,
        updatedAt: time,
      });
      expect(await wiil.agentConfigs.get(created.id)).toEqual(created);
      // The instruction configuration is unchanged; the agent now carries the agent configuration's name.
      expect(await wiil.instructionConfigs.get(instruction.id)).toEqual({ ...instruction, updatedAt: created.updatedAt });
      expect((await t.request('GET', `/v1/agents/${created.id}`)).body.data.name).toBe('Customer Service Agent');

      // An instruction configuration serves one agent configuration.
      expect(await failure(wiil.agentConfigs.create({ ...agentInput(instruction.id), name: 'Second' }))).toEqual({
        message:
          `Instruction configuration ${instruction.id} already belongs to agent configuration ${instruction.id}: ` +
          "on Switchboard an agent's instructions are its own, so create another instruction configuration for this agent",
        statusCode: 409,
        code: 'CONFLICT',
        details: { agentConfigurationId: instruction.id },
      });

      // Deleting the agent configuration leaves the instruction configuration made on its own.
      expect(await wiil.agentConfigs.delete(created.id)).toBe(true);
      expect(await failure(wiil.agentConfigs.get(created.id))).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
      expect(await wiil.instructionConfigs.get(instruction.id)).toEqual({ ...instruction, updatedAt: time });
      expect((await t.request('GET', `/v1/agents/${instruction.id}`)).body.data.name).toBe('customer-support-agent');
      expect(await wiil.instructionConfigs.delete(instruction.id)).toBe(true);
    });

    it('create naming an unknown instruction configuration (as its test does, instr_789) answers 404', async () => {
      expect(await failure(wiil.agentConfigs.create(agentInput('instr_789')))).toEqual({
        message: 'Instruction configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { instructionConfigurationId: 'instr_789' },
      });
    });

    it('create without one makes an agent with empty instructions; its backend is Switchboard’s to choose', async () => {
      const created = await wiil.agentConfigs.create({
        ...agentInput(),
        requiredModelConfig: { voiceId: 'rachel', languageId: 'en-US' },
        call_transfer_config: [{ transfer_number: '+15551234567', transfer_type: 'warm', transfer_conditions: ['billing support'] }],
        backend: { type: 'scripted', rules: [{ match: 'keyword', pattern: 'hours', reply: '9 to 5.' }], fallback: 'One moment.' },
      });
      expect(created).toEqual({
        id: expect.stringMatching(/^agent_/),
        ...agentInput(),
        requiredModelConfig: { voiceId: 'rachel', languageId: 'en-US' },
        call_transfer_config: [{ transfer_number: '+15551234567', transfer_type: 'warm', transfer_conditions: ['billing support'] }],
        instructionConfigurationId: created.id,
        backend: { type: 'scripted', rules: [{ match: 'keyword', pattern: 'hours', reply: '9 to 5.', caseSensitive: false }], fallback: 'One moment.' },
        createdAt: time,
        updatedAt: time,
      });
      expect(await wiil.instructionConfigs.get(created.id)).toMatchObject({ id: created.id, instructionName: 'Customer Service Agent', instructions: '' });
      // Its instruction configuration goes with it.
      expect(await wiil.agentConfigs.delete(created.id)).toBe(true);
      expect(await failure(wiil.instructionConfigs.get(created.id))).toMatchObject({ statusCode: 404 });
    });

    it("get shows an agent made through /v1/agents with WIIL's defaults; 404 for an unknown id", async () => {
      const native = (await t.request('POST', '/v1/agents', { name: 'Concierge', instructions: 'Be brief.' })).body.data;
      expect(await wiil.agentConfigs.get(native.id)).toEqual({
        id: native.id,
        name: 'Concierge',
        modelId: null,
        defaultFunctionState: 'multi_mode',
        usesWiilSupportModel: true,
        instructionConfigurationId: native.id,
        assistantType: 'general',
        call_transfer_config: [],
        backend: { type: 'echo' },
        createdAt: native.createdAt,
        updatedAt: native.updatedAt,
      });
      expect(await failure(wiil.agentConfigs.get('invalid_id'))).toEqual({
        message: 'Agent configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { id: 'invalid_id' },
      });
      expect(await wiil.agentConfigs.delete(native.id)).toBe(true);
    });

    it('update changes the fields sent (id in the body); metadata is replaced', async () => {
      const created = await wiil.agentConfigs.create(agentInput());
      const updated = await wiil.agentConfigs.update({ id: created.id, name: 'Updated Agent Name', metadata: { department: 'enterprise-support' } });
      expect(updated).toEqual({ ...created, name: 'Updated Agent Name', metadata: { department: 'enterprise-support' }, updatedAt: time });
      expect(await wiil.agentConfigs.get(created.id)).toEqual(updated);

      expect(await failure(wiil.agentConfigs.update({ id: created.id, instructionConfigurationId: 'instr_other' }))).toEqual({
        message: `instructionConfigurationId: must be ${created.id}, the agent's own id: on Switchboard an agent's instructions are its instruction configuration`,
        statusCode: 400,
        code: 'VALIDATION_ERROR',
        details: {
          details: [
            {
              field: 'instructionConfigurationId',
              message: `must be ${created.id}, the agent's own id: on Switchboard an agent's instructions are its instruction configuration`,
            },
          ],
        },
      });
      expect(await failure(wiil.agentConfigs.update({ id: 'agent_missing', name: 'x' }))).toEqual({
        message: 'Agent configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { id: 'agent_missing' },
      });
      expect(await wiil.agentConfigs.delete(created.id)).toBe(true);
    });

    it('list answers the agent configurations only (not instruction configurations waiting for one), with custom pagination', async () => {
      const waiting = await wiil.instructionConfigs.create(instructionInput);
      const a = await wiil.agentConfigs.create({ ...agentInput(), name: 'Agent 1' });
      const b = await wiil.agentConfigs.create({ ...agentInput(), name: 'Agent 2' });
      const page = await wiil.agentConfigs.list();
      expect(page.data).toEqual(expect.arrayContaining([a, b]));
      expect(page.data.map((c: { id: string }) => c.id)).not.toContain(waiting.id);
      expect(page.meta).toEqual(listPage([], { totalCount: page.data.length }).meta);
      expect(await wiil.agentConfigs.list({ page: 2, pageSize: 50 })).toEqual(listPage([], { page: 2, pageSize: 50, totalCount: page.data.length }));
      for (const id of [a.id, b.id]) expect(await wiil.agentConfigs.delete(id)).toBe(true);
      expect(await wiil.instructionConfigs.delete(waiting.id)).toBe(true);
    });

    it('delete answers 404 for an unknown id', async () => {
      expect(await failure(wiil.agentConfigs.delete('invalid_id'))).toEqual({
        message: 'Agent configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { id: 'invalid_id' },
      });
    });

    it('getGraph is not served (see docs/compatibility.md)', async () => {
      const created = await wiil.agentConfigs.create(agentInput());
      expect(await failure(wiil.agentConfigs.getGraph(created.id))).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
      expect(await wiil.agentConfigs.delete(created.id)).toBe(true);
    });
  });

  describe('guardrails', () => {
    let fake: FakeServer;
    beforeAll(async () => {
      fake = await startFakeServer();
    });
    afterAll(async () => {
      await fake.close();
    });

    it("follow the instructions in an openai-compatible backend's system prompt", async () => {
      const instruction = await wiil.instructionConfigs.create(instructionInput);
      await wiil.agentConfigs.create({
        ...agentInput(instruction.id),
        backend: { type: 'openai-compatible', baseUrl: `${fake.url}/v1`, model: 'test-model' },
      });
      fake.handler = (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'Hello!' } }] }));
      };
      const runner = createAgentRunner({ db: t.db, secretBox: t.app.secretBox, logger: recordingLogger() });
      const outcome = await runner.respond(
        instruction.id,
        t.workspaceId,
        { workspaceId: t.workspaceId, conversationId: 'conv_wiil', channelType: 'web', contactId: 'ct_wiil', messageId: 'msg_wiil', text: 'Hi', history: [] },
        () => undefined,
      );
      expect(outcome).toEqual({ kind: 'reply', text: 'Hello!', fallback: false });
      expect(JSON.parse(fake.requests[0]!.body).messages).toEqual([
        { role: 'system', content: `${instructionInput.instructions}\n\n${instructionInput.guardrails}` },
        { role: 'user', content: 'Hi' },
      ]);
      expect(await wiil.agentConfigs.delete(instruction.id)).toBe(true);
      expect(await wiil.instructionConfigs.delete(instruction.id)).toBe(true);
    });
  });

  describe('workspaces', () => {
    it("another workspace's key reaches none of these records: 404, or an empty page", async () => {
      const instruction = await wiil.instructionConfigs.create(instructionInput);
      const agent = await wiil.agentConfigs.create(agentInput(instruction.id));
      const phone = await registerPhone('+12125550100', 'A line');
      const channelId = (await wiil.deploymentChannels.create(webChannelInput())).id;
      const deployment = await wiil.deploymentConfigs.create({
        projectId: 'proj_a',
        deploymentChannelId: channelId,
        agentConfigurationId: agent.id,
        instructionConfigurationId: agent.id,
        deploymentStatus: 'pending',
        isActive: false,
      });

      const other = await t.newWorkspace('Other');
      const b = wiilClient(t, other.apiKey);
      const notFound = { statusCode: 404, code: 'NOT_FOUND' };
      expect(await failure(b.agentConfigs.get(agent.id))).toMatchObject(notFound);
      expect(await failure(b.agentConfigs.update({ id: agent.id, name: 'Taken' }))).toMatchObject(notFound);
      expect(await failure(b.agentConfigs.delete(agent.id))).toMatchObject(notFound);
      expect(await failure(b.agentConfigs.create(agentInput(instruction.id)))).toMatchObject(notFound);
      expect(await failure(b.instructionConfigs.get(instruction.id))).toMatchObject(notFound);
      expect(await failure(b.instructionConfigs.update({ id: instruction.id, role: 'x' }))).toMatchObject(notFound);
      expect(await failure(b.instructionConfigs.delete(instruction.id))).toMatchObject(notFound);
      expect(await failure(b.phoneConfigs.update({ id: phone.id, friendlyName: 'Taken' }))).toMatchObject(notFound);
      expect(await failure(b.deploymentConfigs.update({ id: deployment.id, isActive: true }))).toMatchObject(notFound);
      expect(await failure(b.deploymentConfigs.listByInstruction(instruction.id))).toMatchObject(notFound);
      expect(await b.deploymentConfigs.listByProject('proj_a')).toEqual(listPage([], { totalCount: 0 }));
      expect(await b.agentConfigs.list()).toEqual(listPage([], { totalCount: 0 }));
      expect(await b.instructionConfigs.list()).toEqual(listPage([], { totalCount: 0 }));

      // Nothing changed for the owner.
      expect(await wiil.agentConfigs.get(agent.id)).toEqual(agent);
      expect(await wiil.deploymentConfigs.get(deployment.id)).toEqual(deployment);
      expect(await wiil.deploymentConfigs.delete(deployment.id)).toBe(true);
      expect(await wiil.agentConfigs.delete(agent.id)).toBe(true);
      expect(await wiil.instructionConfigs.delete(instruction.id)).toBe(true);
      expect(await wiil.phoneConfigs.delete(phone.id)).toBe(true);
    });
  });

  // ── deploymentConfigs ─────────────────────────────────────────────────────

  describe('deploymentConfigs', () => {
    let instructionId: string;
    let agentId: string;

    beforeAll(async () => {
      instructionId = (await wiil.instructionConfigs.create(instructionInput)).id;
      agentId = (await wiil.agentConfigs.create(agentInput(instructionId))).id;
    });

    async function channel() {
      return (await wiil.deploymentChannels.create(webChannelInput())).id as string;
    }

    const createInput = (deploymentChannelId: string, extra: Record<string, unknown> = {}) => ({
      projectId: 'proj_789',
      deploymentChannelId,
      deploymentName: 'Customer Support Deployment',
      agentConfigurationId: agentId,
      instructionConfigurationId: instructionId,
      isActive: false,
      deploymentStatus: 'pending',
      provisioningType: 'direct',
      ...extra,
    });

    /** WIIL's fields and Switchboard's, as every deployment configuration answer carries them. */
    const deploymentView = (fields: { id: string; deploymentChannelId: string } & Record<string, unknown>) => {
      const status = (fields.status as string | undefined) ?? 'pending';
      return {
        projectId: 'proj_789',
        deploymentName: 'Customer Support Deployment',
        agentId,
        agentConfigurationId: agentId,
        instructionConfigurationId: agentId,
        instructions: null,
        deploymentStatus: status,
        isActive: status === 'active',
        provisioningType: 'direct',
        provisioningConfigChainId: null,
        createdAt: time,
        updatedAt: time,
        ...fields,
        status,
      };
    };

    it('create answers WIIL’s deployment configuration (and Switchboard’s fields); get and getByChannel find it', async () => {
      const channelId = await channel();
      const created = await wiil.deploymentConfigs.create(createInput(channelId));
      expect(created).toEqual(deploymentView({ id: expect.stringMatching(/^dep_/), deploymentChannelId: channelId }));
      expect(instructionId).toBe(agentId);
      expect(await wiil.deploymentConfigs.get(created.id)).toEqual(created);
      expect(await wiil.deploymentConfigs.getByChannel(channelId)).toEqual(created);
      expect(await failure(wiil.deploymentConfigs.get('invalid_id'))).toEqual({
        message: 'Deployment configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { id: 'invalid_id' },
      });
      expect(await wiil.deploymentConfigs.delete(created.id)).toBe(true);
    });

    it('update with isActive runs the status lifecycle: true activates, false pauses; an active deployment cannot be deleted', async () => {
      const channelId = await channel();
      const created = await wiil.deploymentConfigs.create(createInput(channelId));
      const activated = await wiil.deploymentConfigs.update({ id: created.id, deploymentName: 'Updated Deployment Name', isActive: true });
      expect(activated).toEqual(deploymentView({ id: created.id, deploymentChannelId: channelId, deploymentName: 'Updated Deployment Name', status: 'active' }));

      expect(await failure(wiil.deploymentConfigs.delete(created.id))).toEqual({
        message: 'Cannot delete active deployment',
        statusCode: 409,
        code: 'CONFLICT',
        details: { id: created.id, status: 'active' },
      });
      const paused = await wiil.deploymentConfigs.update({ id: created.id, isActive: false });
      expect(paused).toMatchObject({ status: 'paused', deploymentStatus: 'paused', isActive: false });
      // isActive false leaves a deployment that is not active as it is.
      expect(await wiil.deploymentConfigs.update({ id: created.id, isActive: false })).toMatchObject({ deploymentStatus: 'paused' });
      expect(await wiil.deploymentConfigs.update({ id: created.id, isActive: true })).toMatchObject({ deploymentStatus: 'active', isActive: true });
      await wiil.deploymentConfigs.update({ id: created.id, isActive: false });
      expect(await wiil.deploymentConfigs.delete(created.id)).toBe(true);
      expect(await failure(wiil.deploymentConfigs.delete(created.id))).toEqual({
        message: 'Deployment configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { id: created.id },
      });
    });

    it('create with isActive true starts active (WIIL’s SDK can only send deploymentStatus pending)', async () => {
      const channelId = await channel();
      const created = await wiil.deploymentConfigs.create(createInput(channelId, { isActive: true }));
      expect(created).toMatchObject({ status: 'active', deploymentStatus: 'active', isActive: true });
      await wiil.deploymentConfigs.update({ id: created.id, isActive: false });
      expect(await wiil.deploymentConfigs.delete(created.id)).toBe(true);
    });

    it('createChain stores the provisioning chain and answers it', async () => {
      const channelId = await channel();
      const created = await wiil.deploymentConfigs.createChain(
        createInput(channelId, { deploymentName: 'Voice Processing Deployment', provisioningConfigChainId: 'chain_999', provisioningType: 'chained' }),
      );
      expect(created).toEqual(
        deploymentView({
          id: expect.stringMatching(/^dep_/),
          deploymentChannelId: channelId,
          deploymentName: 'Voice Processing Deployment',
          provisioningType: 'chained',
          provisioningConfigChainId: 'chain_999',
        }),
      );
      expect(await wiil.deploymentConfigs.get(created.id)).toEqual(created);
      // Switching to direct drops the chain.
      expect(await wiil.deploymentConfigs.update({ id: created.id, provisioningType: 'direct' })).toMatchObject({
        provisioningType: 'direct',
        provisioningConfigChainId: null,
      });
      expect(await failure(wiil.deploymentConfigs.update({ id: created.id, provisioningType: 'chained' }))).toEqual({
        message: 'provisioningConfigChainId: Required when provisioningType is chained',
        statusCode: 400,
        code: 'VALIDATION_ERROR',
        details: { details: [{ field: 'provisioningConfigChainId', message: 'Required when provisioningType is chained' }] },
      });
      expect(await wiil.deploymentConfigs.delete(created.id)).toBe(true);
    });

    it('list, listByProject, listByAgent and listByInstruction answer pages', async () => {
      const [c1, c2, c3] = [await channel(), await channel(), await channel()];
      const d1 = await wiil.deploymentConfigs.create(createInput(c1, { deploymentName: 'Project Deployment 1' }));
      const d2 = await wiil.deploymentConfigs.create(createInput(c2, { projectId: 'proj_other' }));
      // Created through Switchboard's own fields: no projectId, so the workspace's default project.
      const other = (await t.request('POST', '/v1/agents', { name: 'Other' })).body.data;
      const d3 = (await t.request('POST', '/v1/deployment-configurations', { deploymentChannelId: c3, agentId: other.id })).body.data;
      expect(d3).toEqual(
        deploymentView({
          id: d3.id,
          deploymentChannelId: c3,
          projectId: t.workspaceId,
          deploymentName: null,
          agentId: other.id,
          agentConfigurationId: other.id,
          instructionConfigurationId: other.id,
        }),
      );

      expect(await wiil.deploymentConfigs.listByProject('proj_789')).toEqual(listPage([d1], { totalCount: 1 }));
      expect(await wiil.deploymentConfigs.listByProject('proj_other', { page: 1, pageSize: 10 })).toEqual(listPage([d2], { pageSize: 10, totalCount: 1 }));
      expect(await wiil.deploymentConfigs.listByProject(t.workspaceId)).toEqual(listPage([d3], { totalCount: 1 }));
      expect(await wiil.deploymentConfigs.listByProject('proj_unknown')).toEqual(listPage([], { totalCount: 0 }));

      expect(await wiil.deploymentConfigs.listByAgent(agentId)).toEqual(listPage([d1, d2], { totalCount: 2 }));
      expect(await wiil.deploymentConfigs.listByAgent(agentId, { page: 2, pageSize: 1 })).toEqual(listPage([d2], { page: 2, pageSize: 1, totalCount: 2 }));
      expect(await wiil.deploymentConfigs.listByInstruction(instructionId)).toEqual(listPage([d1, d2], { totalCount: 2 }));
      expect(await failure(wiil.deploymentConfigs.listByInstruction('instr_missing'))).toEqual({
        message: 'Instruction configuration not found',
        statusCode: 404,
        code: 'NOT_FOUND',
        details: { instructionConfigurationId: 'instr_missing' },
      });

      expect(await wiil.deploymentConfigs.list()).toEqual(listPage([d1, d2, d3], { totalCount: 3 }));
      expect(await wiil.deploymentConfigs.list({ page: 2, pageSize: 2 })).toEqual(listPage([d3], { page: 2, pageSize: 2, totalCount: 3 }));

      // projectId can change; the agent cannot be deleted while deployments use it.
      expect(await wiil.deploymentConfigs.update({ id: d2.id, projectId: 'proj_789' })).toMatchObject({ projectId: 'proj_789' });
      expect((await wiil.deploymentConfigs.listByProject('proj_789')).meta.totalCount).toBe(2);
      expect(await failure(wiil.agentConfigs.delete(agentId))).toMatchObject({ statusCode: 409, code: 'CONFLICT', details: { deploymentId: d1.id } });

      for (const d of [d1, d2, d3]) expect(await wiil.deploymentConfigs.delete(d.id)).toBe(true);
    });

    it('refuses an instruction configuration other than the agent’s own, and a contradicting isActive, naming the field', async () => {
      const channelId = await channel();
      const other = await wiil.instructionConfigs.create({ ...instructionInput, instructionName: 'other' });
      const message = `must be ${agentId}, the agent's own id: on Switchboard an agent's instructions are its instruction configuration`;
      expect(await failure(wiil.deploymentConfigs.create(createInput(channelId, { instructionConfigurationId: other.id })))).toEqual({
        message: `instructionConfigurationId: ${message}`,
        statusCode: 400,
        code: 'VALIDATION_ERROR',
        details: { details: [{ field: 'instructionConfigurationId', message }] },
      });
      const created = await wiil.deploymentConfigs.create(createInput(channelId));
      expect(await failure(wiil.deploymentConfigs.update({ id: created.id, deploymentStatus: 'paused', isActive: true }))).toEqual({
        message: 'isActive: true contradicts status paused',
        statusCode: 400,
        code: 'VALIDATION_ERROR',
        details: { details: [{ field: 'isActive', message: 'true contradicts status paused' }] },
      });
      expect(await failure(wiil.deploymentConfigs.update({ id: created.id, deploymentChannelId: await channel() }))).toMatchObject({
        statusCode: 400,
        code: 'VALIDATION_ERROR',
        message: expect.stringContaining('deploymentChannelId: cannot be changed'),
      });
      // A second deployment on the same channel, and archiving straight from pending, are refused as Switchboard refuses them.
      expect(await failure(wiil.deploymentConfigs.create(createInput(channelId)))).toMatchObject({
        statusCode: 409,
        message: 'Deployment channel is already associated with another deployment',
      });
      expect(await failure(wiil.deploymentConfigs.update({ id: created.id, deploymentStatus: 'archived' }))).toEqual({
        message: 'Cannot change deployment status from pending to archived',
        statusCode: 409,
        code: 'CONFLICT',
        details: { from: 'pending', to: 'archived' },
      });
      expect(await wiil.deploymentConfigs.delete(created.id)).toBe(true);
      expect(await wiil.instructionConfigs.delete(other.id)).toBe(true);
    });
  });
});
