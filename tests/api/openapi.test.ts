import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ENGINES } from '../helpers/engines.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

/** Every path of the API and its methods. */
const EXPECTED_PATHS: Record<string, string[]> = {
  '/v1/deployment-channels': ['get', 'patch', 'post'],
  '/v1/deployment-channels/{id}': ['delete', 'get', 'patch'],
  '/v1/deployment-channels/by-identifier/{identifier}': ['get'],
  '/v1/deployment-channels/by-type/{type}': ['get'],
  '/v1/phone-configurations': ['get', 'patch', 'post'],
  '/v1/phone-configurations/{id}': ['delete', 'get', 'patch'],
  '/v1/phone-configurations/by-phone-number/{phoneNumber}': ['get'],
  '/v1/phone-configurations/by-request/{requestId}': ['get'],
  '/v1/agents': ['get', 'post'],
  '/v1/agents/{id}': ['delete', 'get', 'patch'],
  '/v1/agent-configurations': ['get', 'patch', 'post'],
  '/v1/agent-configurations/{id}': ['delete', 'get'],
  '/v1/instruction-configurations': ['get', 'patch', 'post'],
  '/v1/instruction-configurations/{id}': ['delete', 'get'],
  '/v1/instruction-configurations/supported-templates': ['get'],
  '/v1/deployment-configurations': ['get', 'patch', 'post'],
  '/v1/deployment-configurations/{id}': ['delete', 'get', 'patch'],
  '/v1/deployment-configurations/setup': ['post'],
  '/v1/deployment-configurations/by-channel/{channelId}': ['get'],
  '/v1/deployment-configurations/by-agent/{agentId}': ['get'],
  '/v1/deployment-configurations/by-project/{projectId}': ['get'],
  '/v1/deployment-configurations/by-instruction/{instructionConfigurationId}': ['get'],
  '/v1/agents/{agentId}/deployments': ['get', 'post'],
  '/v1/agents/{agentId}/deployments/{id}': ['get', 'patch'],
  '/v1/agents/{agentId}/deployments/{id}/revoke': ['post'],
  '/v1/agents/{agentId}/deployments/{id}/rotate': ['post'],
  '/v1/agents/{agentId}/deployments/{id}/embed-snippet': ['get'],
  '/v1/conversations': ['get'],
  '/v1/conversations/{id}': ['get'],
  '/v1/conversations/{id}/messages': ['get', 'post'],
  '/v1/secrets': ['get', 'post'],
  '/v1/secrets/{id}': ['delete', 'get', 'put'],
  '/v1/connections': ['get', 'post'],
  '/v1/connections/{id}': ['delete', 'get', 'patch'],
  '/v1/connections/{id}/inbound-events': ['get'],
  '/v1/connections/{id}/rotate-inbound-secret': ['post'],
  '/v1/deliveries': ['get'],
  '/v1/deliveries/{id}': ['get'],
  '/v1/deliveries/{id}/retry': ['post'],
  '/v1/conversations/{id}/handoff': ['post'],
  '/v1/conversations/{id}/handoff/accept': ['post'],
  '/v1/conversations/{id}/handoff/resolve': ['post'],
  '/v1/conversations/{id}/handoff/handback': ['post'],
  '/v1/conversations/{id}/handoff/takeover': ['post'],
  '/v1/conversations/{id}/assign': ['post'],
  '/v1/conversations/{id}/read': ['post'],
  '/v1/events': ['get'],
  '/v1/teams': ['get', 'post'],
  '/v1/teams/{id}': ['delete', 'get', 'patch'],
  '/v1/teams/{id}/members': ['post'],
  '/v1/teams/{id}/members/{memberId}': ['delete'],
  '/v1/teams/{id}/observers': ['get', 'post'],
  '/v1/teams/{id}/observers/{observerId}': ['delete'],
  '/v1/deployment-channels/{id}/teams': ['get', 'put'],
  '/v1/workflows': ['get', 'post'],
  '/v1/workflows/{id}': ['delete', 'get', 'patch'],
  '/v1/deployment-channels/{id}/workflow': ['delete', 'get', 'put'],
  '/v1/webhooks': ['get', 'post'],
  '/v1/webhooks/{id}': ['delete', 'get', 'patch'],
  '/v1/webhooks/{id}/rotate-secret': ['post'],
  '/v1/webhooks/{id}/test': ['post'],
  '/v1/contacts/{id}': ['get', 'patch'],
  '/v1/workspaces': ['get', 'post'],
  '/v1/workspaces/{id}': ['get', 'patch'],
  '/v1/workspaces/{id}/keys': ['get', 'post'],
  '/v1/workspaces/{id}/keys/{keyId}/revoke': ['post'],
  '/v1/members': ['get', 'post'],
  '/v1/members/{id}': ['delete', 'get', 'patch'],
  '/v1/members/{id}/invitation': ['post'],
  '/v1/invitations/{token}': ['get'],
  '/v1/invitations/{token}/accept': ['post'],
  '/v1/sessions': ['post'],
  '/v1/session': ['delete', 'get'],
  '/v1/me': ['get', 'patch'],
  '/v1/me/password': ['post'],
};

/** Public operations: the token or the password is the credential. */
const PUBLIC = new Set(['GET /v1/invitations/{token}', 'POST /v1/invitations/{token}/accept', 'POST /v1/sessions']);

const REQUEST_SCHEMAS = [
  'DeploymentChannelRequest',
  'DeploymentChannelUpdateRequest',
  'PhoneConfigurationRequest',
  'PhoneConfigurationUpdateRequest',
  'AgentRequest',
  'AgentUpdateRequest',
  'AgentConfigurationRequest',
  'AgentConfigurationUpdateRequest',
  'InstructionConfigurationRequest',
  'InstructionConfigurationUpdateRequest',
  'DeploymentConfigurationRequest',
  'DeploymentConfigurationUpdateRequest',
  'ChannelSetupRequest',
  'WebDeploymentRequest',
  'WebDeploymentUpdateRequest',
  'ConversationMessageRequest',
  'WorkspaceRequest',
  'WorkspaceUpdateRequest',
  'ApiKeyRequest',
];
const RESPONSE_SCHEMAS = [
  'DeploymentChannel',
  'PhoneConfiguration',
  'Agent',
  'DeploymentConfiguration',
  'AgentConfiguration',
  'InstructionConfiguration',
  'ChannelSetupResult',
  'WebDeployment',
  'IssuedWebDeployment',
  'EmbedSnippet',
  'Conversation',
  'Message',
  'Error',
  'PaginationMeta',
  'Workspace',
  'CreatedWorkspace',
  'ApiKey',
  'IssuedApiKey',
];

type Json = any;

describe.each(ENGINES)('OpenAPI document on %s', (engine) => {
  let t: TestApp;
  let doc: Json;
  beforeAll(async () => {
    t = await createTestApp(engine);
    const response = await t.app.server.inject({ method: 'GET', url: '/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    doc = JSON.parse(response.body);
  });
  afterAll(async () => {
    await t.close();
  });

  it('is served without an API key as OpenAPI 3.1.0', async () => {
    const response = await t.app.server.inject({ method: 'GET', url: '/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'bearer', 'deploymentToken', 'metricsToken', 'session', 'wiilApiKey']);
    expect(doc.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'sb_session' });
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Api-Key' });
    expect(doc.components.securitySchemes.wiilApiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Wiil-Api-Key' });
  });

  it('has every path of the API with the right methods', () => {
    for (const [path, methods] of Object.entries(EXPECTED_PATHS)) {
      expect(doc.paths[path], path).toBeDefined();
      expect(Object.keys(doc.paths[path]).sort(), path).toEqual(methods);
    }
    for (const path of Object.keys(doc.paths)) expect(path).toMatch(/^\/(v1\/|channel-service\/|embed\/|console|docs$|health$|ready$|metrics$|$)/);
  });

  it('describes each operation: parameters, body, responses and security', () => {
    const operationIds = new Set<string>();
    for (const [path, methods] of Object.entries(EXPECTED_PATHS)) {
      for (const method of methods) {
        const op = doc.paths[path][method];
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.operationId, where).toEqual(expect.any(String));
        operationIds.add(op.operationId);
        expect(op.summary, where).toEqual(expect.any(String));
        expect(op.security, where).toEqual(PUBLIC.has(where) ? [] : [{ bearer: [] }, { apiKey: [] }, { wiilApiKey: [] }, { session: [] }]);

        const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
        const declared = (op.parameters ?? []).filter((p: Json) => p.in === 'path');
        expect(declared.map((p: Json) => p.name), where).toEqual(pathParams);
        for (const p of declared) expect(p.required).toBe(true);

        // Actions (revoke, rotate) are POSTs that change a resource rather than create one: 200, no body.
        // Actions change a resource rather than create one: 200, and most take no body.
        const action = /\/(revoke|rotate|rotate-inbound-secret|retry|rotate-secret|test|resolve|handback|read|password)$/.test(path);
        // A new invitation link is created from the member alone.
        const bodiless = /\/invitation$/.test(path);
        const transition = /\/handoff(\/accept|\/takeover)?$|\/assign$/.test(path);
        const success = method === 'post' && !action && !transition ? '201' : '200';
        expect(op.responses[success], where).toBeDefined();
        expect(op.responses['400'], where).toBeDefined();
        expect(op.responses['401'], where).toBeDefined();
        for (const [status, response] of Object.entries<Json>(op.responses)) {
          if (Number(status) >= 400) expect(response.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
        }
        if ((method === 'post' && !action && !bodiless) || method === 'patch' || method === 'put' || path === '/v1/me/password') {
          const ref = op.requestBody.content['application/json'].schema.$ref as string;
          expect(ref, where).toMatch(/^#\/components\/schemas\//);
          expect(doc.components.schemas[ref.split('/').pop()!], where).toBeDefined();
        } else {
          expect(op.requestBody, where).toBeUndefined();
        }
      }
    }
    expect(operationIds.size).toBe(Object.values(EXPECTED_PATHS).flat().length);

    const list = doc.paths['/v1/agents'].get;
    expect(list.parameters.map((p: Json) => `${p.in}:${p.name}`)).toEqual(['query:page', 'query:pageSize']);
    const listBody = list.responses['200'].content['application/json'].schema;
    // WIIL's shape: the page sits inside `data`, and there is no top-level `meta` on a list.
    expect(listBody.properties.data).toEqual({
      type: 'object',
      required: ['data', 'meta'],
      properties: { data: { type: 'array', items: { $ref: '#/components/schemas/Agent' } }, meta: { $ref: '#/components/schemas/PaginationMeta' } },
    });
    expect(listBody.properties.meta).toBeUndefined();
    expect(doc.paths['/v1/deployment-configurations/by-agent/{agentId}'].get.parameters.map((p: Json) => p.name)).toEqual(['agentId', 'page', 'pageSize']);
    expect(doc.paths['/v1/deployment-channels/{id}'].delete.parameters.map((p: Json) => p.name)).toEqual(['id', 'deletePhoneConfig']);
    expect(doc.paths['/v1/deployment-configurations/{id}'].delete.responses['409'].description).toBe('Cannot delete active deployment');
    expect(doc.paths['/v1/deployment-configurations/setup'].post.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ChannelSetupRequest',
    );
  });

  it('names every request and response schema', () => {
    for (const name of [...REQUEST_SCHEMAS, ...RESPONSE_SCHEMAS]) expect(doc.components.schemas[name], name).toBeDefined();
    expect(doc.components.schemas.PaginationMeta.properties.pageSize.maximum).toBe(1000);
    expect(doc.components.schemas.Error.required).toEqual(['success', 'status', 'code', 'message', 'meta', 'timestamp', 'error']);
    expect(doc.components.schemas.Error.properties.meta.properties.details).toEqual({ type: 'array', items: { $ref: '#/components/schemas/FieldIssue' } });
  });

  it('describes DeploymentChannelRequest as a oneOf of every channel type', () => {
    const request = doc.components.schemas.DeploymentChannelRequest;
    const ALL = ['calls', 'email', 'facebook', 'instagram', 'line', 'mobile-app', 'sms', 'telegram', 'voice-gateway', 'web', 'webhook', 'wechat', 'wecom', 'whatsapp'];
    expect(request.oneOf).toHaveLength(ALL.length);
    const variant = (type: string) => request.oneOf.find((v: Json) => v.properties.deploymentType.enum.includes(type));
    for (const type of ['web', 'calls', 'sms', 'mobile-app']) {
      const v = variant(type);
      expect(v, type).toBeDefined();
      expect(v.additionalProperties).toBe(false);
      expect(v.required).toEqual(expect.arrayContaining(['deploymentType', 'channelIdentifier']));
    }
    const types = request.oneOf.map((v: Json) => v.properties.deploymentType.enum.filter((e: string) => e === e.toLowerCase() && e !== 'mobile'));
    expect(types.flat().sort()).toEqual(ALL);
    expect(variant('whatsapp').properties.configuration.required).toEqual(['connectionId']);

    const web = variant('web');
    const configuration = web.properties.configuration;
    expect(configuration.additionalProperties).toBe(false);
    expect(configuration.properties.communicationType.default).toBe('unified');
    expect(configuration.properties.communicationType.enum).toEqual(expect.arrayContaining(['text', 'voice', 'unified']));
    expect(configuration.properties.widgetConfiguration.properties.position.default).toBe('right');
    expect(web.properties.recordingEnabled.default).toBe(true);
    expect(web.required).not.toContain('configuration');
    expect(variant('calls').required).toContain('configuration');
    expect(variant('calls').properties.configuration.required).toEqual(['phoneConfigurationId']);
    expect(variant('mobile-app').properties.configuration.properties.platform.enum).toEqual(expect.arrayContaining(['ios', 'android']));
    expect(doc.components.schemas.DeploymentConfigurationRequest.properties.status.default).toBe('pending');
  });

  it('types query parameters as the validation reads them', () => {
    const page = (path: string, method = 'get') =>
      Object.fromEntries(doc.paths[path][method].parameters.filter((p: Json) => p.in === 'query').map((p: Json) => [p.name, p.schema]));
    expect(page('/v1/agents')).toEqual({
      page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
      pageSize: { type: 'integer', minimum: 1, maximum: 1000, default: 20 },
    });
    expect(page('/v1/deployment-channels/{id}', 'delete').deletePhoneConfig).toEqual({ type: 'boolean', default: false });
    expect(page('/v1/conversations').state).toEqual({ type: 'string', description: expect.stringMatching(/separated by commas$/) });
    const strings: string[] = [];
    for (const [path, methods] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(methods)) {
        for (const p of op.parameters ?? []) {
          if (p.in === 'query' && /^(page|pageSize|limit|offset)$|^(delete|include|is)[A-Z]/.test(p.name) && p.schema.type === 'string') strings.push(`${method} ${path} ${p.name}`);
        }
      }
    }
    expect(strings).toEqual([]);
  });

  it('lists each enum once, lower-case, and says upper-case is accepted', async () => {
    const upper: string[] = [];
    JSON.stringify(doc.components.schemas, (key, value) => {
      if (key === 'enum' && Array.isArray(value)) {
        const lower = value.filter((v) => typeof v === 'string').map((v: string) => v.toLowerCase());
        if (new Set(lower).size !== lower.length) upper.push(value.join(','));
      }
      return value;
    });
    expect(upper).toEqual([]);
    const type = doc.paths['/v1/deployment-channels/by-type/{type}'].get.parameters.find((p: Json) => p.name === 'type').schema;
    expect(type.enum).toContain('mobile-app');
    expect(type.enum).not.toContain('CALLS');
    expect(type.enum).not.toContain('mobile');
    expect(type.description).toContain('Upper-case values are accepted too');
    expect(type.description).toContain('`mobile` for `mobile-app`');
    const provider = doc.components.schemas.PhoneConfigurationRequest.properties.provider;
    expect(provider.enum).toEqual(['twilio', 'signal-wire', 'telnyx', 'vonage', 'plivo']);
    expect(provider.description).toContain('`TWILIO` reads as `twilio`');
    expect(doc.components.schemas.DeploymentConfigurationRequest.properties.status.description).toMatch(/the default.*Upper-case values are accepted too/);

    const created = await t.request('POST', '/v1/deployment-channels', { channelIdentifier: 'https://agree-upper.example.com', deploymentType: 'WEB' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data.deploymentType).toBe('web');
  });

  describe('is generated from the schemas that validate', () => {
    let ajv: Ajv2020;
    beforeAll(() => {
      // fastify's own JSON Schema validator (ajv 8), in its draft 2020-12 flavour.
      ajv = new Ajv2020({ strict: false, allErrors: true });
      ajv.addSchema({ $id: 'switchboard', components: doc.components }, 'switchboard');
    });
    const validate = (schema: string, body: unknown): boolean => {
      const validator = ajv.getSchema(`switchboard#/components/schemas/${schema}`);
      expect(validator, schema).toBeDefined();
      return validator!(body) as boolean;
    };

    const cases: { name: string; schema: string; url: string; body: Record<string, unknown>; valid: boolean }[] = [
      {
        name: 'a valid web channel',
        schema: 'DeploymentChannelRequest',
        url: '/v1/deployment-channels',
        body: {
          channelIdentifier: 'https://agree.example.com',
          deploymentType: 'web',
          channelName: 'Website Chat',
          configuration: { communicationType: 'unified', widgetConfiguration: { position: 'right', customTheme: { primaryColor: '#007bff' } } },
        },
        valid: true,
      },
      {
        name: 'a minimal web channel with an upper-case address',
        schema: 'DeploymentChannelRequest',
        url: '/v1/deployment-channels',
        body: { channelIdentifier: 'HTTPS://AGREE-MINIMAL.EXAMPLE.COM', deploymentType: 'web' },
        valid: true,
      },
      {
        name: 'a web channel whose identifier is example.com',
        schema: 'DeploymentChannelRequest',
        url: '/v1/deployment-channels',
        body: { channelIdentifier: 'example.com', deploymentType: 'web' },
        valid: false,
      },
      {
        name: 'a web channel with an unknown field',
        schema: 'DeploymentChannelRequest',
        url: '/v1/deployment-channels',
        body: { channelIdentifier: 'https://agree-unknown.example.com', deploymentType: 'web', foo: 1 },
        valid: false,
      },
      {
        name: 'a web channel with an unknown configuration field',
        schema: 'DeploymentChannelRequest',
        url: '/v1/deployment-channels',
        body: { channelIdentifier: 'https://agree-nested.example.com', deploymentType: 'web', configuration: { colour: 'red' } },
        valid: false,
      },
      {
        name: 'a channel of an unknown type',
        schema: 'DeploymentChannelRequest',
        url: '/v1/deployment-channels',
        body: { channelIdentifier: 'https://agree-fax.example.com', deploymentType: 'fax' },
        valid: false,
      },
      {
        name: 'a mobile channel',
        schema: 'DeploymentChannelRequest',
        url: '/v1/deployment-channels',
        body: { channelIdentifier: 'com.example.agree', deploymentType: 'mobile-app', configuration: { platform: 'android' } },
        valid: true,
      },
      {
        name: 'a mobile channel without a configuration',
        schema: 'DeploymentChannelRequest',
        url: '/v1/deployment-channels',
        body: { channelIdentifier: 'com.example.agreeminimal', deploymentType: 'mobile-app' },
        valid: true,
      },
      {
        name: 'a mobile channel with a non reverse-DNS identifier',
        schema: 'DeploymentChannelRequest',
        url: '/v1/deployment-channels',
        body: { channelIdentifier: 'not a package', deploymentType: 'mobile-app', configuration: { platform: 'ios' } },
        valid: false,
      },
      {
        name: 'a calls channel with a dashed number',
        schema: 'DeploymentChannelRequest',
        url: '/v1/deployment-channels',
        body: { channelIdentifier: '202-555-1234', deploymentType: 'calls', configuration: { phoneConfigurationId: 'phone_x' } },
        valid: false,
      },
      {
        name: 'a phone configuration',
        schema: 'PhoneConfigurationRequest',
        url: '/v1/phone-configurations',
        body: { phoneNumber: '+12025550501', provider: 'telnyx', friendlyName: 'Agree' },
        valid: true,
      },
      {
        name: 'a phone configuration with a spaced, bracketed number',
        schema: 'PhoneConfigurationRequest',
        url: '/v1/phone-configurations',
        body: { phoneNumber: '+1 (202) 555-0502', provider: 'twilio' },
        valid: true,
      },
      {
        name: 'a phone configuration with a dashed number',
        schema: 'PhoneConfigurationRequest',
        url: '/v1/phone-configurations',
        body: { phoneNumber: '202-555-1234', provider: 'twilio' },
        valid: false,
      },
      { name: 'an agent', schema: 'AgentRequest', url: '/v1/agents', body: { name: 'Agree', backend: { type: 'echo' } }, valid: true },
      { name: 'an agent without a name', schema: 'AgentRequest', url: '/v1/agents', body: { instructions: 'x' }, valid: false },
      { name: 'an agent with an unknown backend', schema: 'AgentRequest', url: '/v1/agents', body: { name: 'X', backend: { type: 'gpt' } }, valid: false },
    ];

    it('gives request body examples that the schemas accept', () => {
      const examples: string[] = [];
      for (const [path, methods] of Object.entries<Json>(doc.paths)) {
        for (const [method, op] of Object.entries<Json>(methods)) {
          const media = op.requestBody?.content?.['application/json'];
          if (media?.example === undefined) continue;
          const where = `${method.toUpperCase()} ${path}`;
          examples.push(where);
          expect(validate(media.schema.$ref.split('/').pop(), media.example), where).toBe(true);
        }
      }
      expect(examples).toEqual(
        expect.arrayContaining([
          'POST /v1/deployment-channels',
          'POST /v1/agents',
          'POST /v1/deployment-configurations',
          'POST /v1/deployment-configurations/setup',
          'POST /v1/agents/{agentId}/deployments',
        ]),
      );
      // tests/api/openapi-examples.test.ts requires and checks one on every body; these are the tour's.
      expect(examples.length).toBeGreaterThan(60);
    });

    for (const c of cases) {
      it(`${c.valid ? 'both accept' : 'both reject'} ${c.name}`, async () => {
        expect(validate(c.schema, c.body), 'JSON Schema verdict').toBe(c.valid);
        const before = await t.snapshot();
        const response = await t.request('POST', c.url, c.body);
        if (c.valid) {
          expect(response.status, JSON.stringify(response.body)).toBe(201);
        } else {
          expect(response.status, JSON.stringify(response.body)).toBe(400);
          expect(await t.snapshot()).toEqual(before);
        }
      });
    }
  });

  it('serves /docs as HTML naming every path and schema', async () => {
    const response = await t.app.server.inject({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    const html = response.body;
    expect(html).toMatch(/^<!doctype html>/i);
    for (const path of Object.keys(EXPECTED_PATHS)) expect(html, path).toContain(`<code>${path}</code>`);
    for (const name of [...REQUEST_SCHEMAS, ...RESPONSE_SCHEMAS]) expect(html, name).toContain(`id="schema-${name}"`);
    // One inline script (the filter and the theme switch), allowed by its hash; nothing loaded from elsewhere.
    expect(html.match(/<script/gi)).toHaveLength(1);
    expect(html).not.toMatch(/<script[^>]*\ssrc=|<link[^>]*\shref=|url\(|@import|(src|href)="(https?:)?\/\//i);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+';/);
    const operations = Object.values<Json>(doc.paths).flatMap((methods) => Object.keys(methods)).length;
    expect(html.match(/<section class="op"/g)).toHaveLength(operations);
    expect(html).toContain('<code>/v1/public/runtime/sessions/{sessionId}/events</code>');
  });
});
