import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeploymentType, RULES, type DeploymentChannel, type PaginationMeta } from '../../packages/core/src/index.js';
import {
  APIError,
  AuthenticationError,
  ConfigurationError,
  ConflictError,
  NetworkError,
  NotFoundError,
  SwitchboardClient,
  SwitchboardError,
  ValidationError,
  type SwitchboardClientOptions,
} from '../../packages/sdk/src/index.js';

// ---------------------------------------------------------------------------
// A fake Switchboard API on loopback: records every request, answers canned replies.
// ---------------------------------------------------------------------------

interface RecordedRequest {
  method: string;
  /** Path exactly as sent on the wire (still percent-encoded), without the query. */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: unknown;
}

interface CannedReply {
  status?: number;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as-is with `contentType` (default text/html). */
  text?: string;
  contentType?: string;
  /** Never answer (for timeouts). */
  hang?: boolean;
}

type Responder = (request: RecordedRequest) => CannedReply;

class FakeApi {
  readonly requests: RecordedRequest[] = [];
  responder: Responder = () => ({ json: success(null) });
  root = '';
  #server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawUrl = req.url ?? '/';
      const queryStart = rawUrl.indexOf('?');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart),
        query: Object.fromEntries(new URLSearchParams(queryStart === -1 ? '' : rawUrl.slice(queryStart + 1))),
        headers: req.headers,
        rawBody,
        body: rawBody === '' ? undefined : (JSON.parse(rawBody) as unknown),
      };
      this.requests.push(recorded);
      this.#answer(res, this.responder(recorded));
    });
  });

  #answer(res: ServerResponse, reply: CannedReply): void {
    if (reply.hang) return;
    const status = reply.status ?? 200;
    if (reply.json !== undefined) {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.json));
    } else {
      res.writeHead(status, { 'content-type': reply.contentType ?? 'text/html' }).end(reply.text ?? '');
    }
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.root = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  reset(): void {
    this.requests.length = 0;
    this.responder = () => ({ json: success(null) });
  }

  /** The only request received; fails when there were none or several. */
  single(): RecordedRequest {
    expect(this.requests).toHaveLength(1);
    return this.requests[0]!;
  }
}

function success<T>(data: T) {
  return { success: true, data, metadata: { timestamp: 1_700_000_000_000, version: 'v1' } };
}

/** A list answer: the page inside the envelope's `data`, as WIIL's SDK reads it. */
function page<T>(data: T[], meta: PaginationMeta) {
  return { success: true, data: { data, meta }, metadata: { timestamp: 1_700_000_000_000, version: 'v1' } };
}

function failure(status: number, code: string, message: string, details: unknown = null) {
  return {
    success: false,
    status,
    code,
    message,
    meta: { requestId: 'req_1' },
    timestamp: 1_700_000_000_000,
    error: { code, message, details },
  };
}

/** The error a promise rejects with; fails the test when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject, but it resolved');
}

const API_KEY = 'sk_test_123';

const webChannel: DeploymentChannel = {
  id: 'chan_web1',
  deploymentType: DeploymentType.WEB,
  channelIdentifier: 'https://example.com',
  channelName: 'Main Website Chat',
  recordingEnabled: true,
  configuration: { communicationType: 'unified' as never, widgetConfiguration: { position: 'right' as never } },
  createdAt: 1,
  updatedAt: 1,
};

const api = new FakeApi();
let client: SwitchboardClient;

function clientFor(options: Partial<SwitchboardClientOptions> = {}): SwitchboardClient {
  return new SwitchboardClient({ apiKey: API_KEY, baseUrl: api.root, ...options });
}

beforeAll(async () => {
  await api.start();
});

afterAll(async () => {
  await api.stop();
});

beforeEach(() => {
  api.reset();
  client = clientFor();
});

// ---------------------------------------------------------------------------

describe('URL building', () => {
  it('appends /v1 to the server root', async () => {
    await client.deploymentChannels.get('chan_1');
    expect(api.single().path).toBe('/v1/deployment-channels/chan_1');
  });

  it.each([['/v1'], ['/v1/'], ['/'], ['///']])('adds /v1 exactly once for a base URL ending in %j', async (suffix) => {
    await clientFor({ baseUrl: api.root + suffix }).agents.get('agent_1');
    expect(api.single().path).toBe('/v1/agents/agent_1');
  });

  it('keeps a path prefix of the base URL', async () => {
    await clientFor({ baseUrl: `${api.root}/switchboard/` }).agents.get('agent_1');
    expect(api.single().path).toBe('/switchboard/v1/agents/agent_1');
  });

  it('percent-encodes identifiers containing + and /', async () => {
    await client.deploymentChannels.getByIdentifier('https://example.com/a+b', DeploymentType.WEB);
    const request = api.single();
    expect(request.path).toBe('/v1/deployment-channels/by-identifier/https%3A%2F%2Fexample.com%2Fa%2Bb');
    expect(request.query).toEqual({ type: 'web' });
  });

  it('encodes the + of an E.164 number so it is not read as a space', async () => {
    await client.phoneConfigs.getByPhoneNumber('+12025551234');
    expect(api.single().path).toBe('/v1/phone-configurations/by-phone-number/%2B12025551234');
  });

  it('encodes a slash inside an id instead of changing the route', async () => {
    await client.deploymentChannels.get('a/b');
    expect(api.single().path).toBe('/v1/deployment-channels/a%2Fb');
  });

  it('omits the type query when getByIdentifier is called without a type', async () => {
    await client.deploymentChannels.getByIdentifier('+12025551234');
    const request = api.single();
    expect(request.path).toBe('/v1/deployment-channels/by-identifier/%2B12025551234');
    expect(request.query).toEqual({});
  });

  it('builds the remaining resource routes', async () => {
    await client.deploymentConfigurations.getByChannel('chan_1');
    await client.deploymentConfigurations.get('dep_1');
    await client.phoneConfigurations.get('phone_1');
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v1/deployment-configurations/by-channel/chan_1',
      'GET /v1/deployment-configurations/dep_1',
      'GET /v1/phone-configurations/phone_1',
    ]);
  });
});

describe('headers', () => {
  it('sends the API key as a Bearer token and asks for JSON', async () => {
    await client.agents.get('agent_1');
    const { headers } = api.single();
    expect(headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(headers.accept).toBe('application/json');
    expect(headers['x-api-key']).toBeUndefined();
    expect(headers['content-type']).toBeUndefined();
  });

  it('sends JSON bodies with Content-Type: application/json', async () => {
    await client.agents.create({ name: 'Support bot' });
    const request = api.single();
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual({ name: 'Support bot' });
  });

  it('adds custom headers but never lets them replace the API key', async () => {
    await clientFor({ headers: { 'X-Trace-Id': 'trace-1', Authorization: 'Bearer someone-else' } }).agents.get('agent_1');
    const { headers } = api.single();
    expect(headers['x-trace-id']).toBe('trace-1');
    expect(headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('uses an injected fetch', async () => {
    const seen: string[] = [];
    const fetchSpy: typeof fetch = (input, init) => {
      seen.push(`${init?.method} ${String(input)}`);
      return fetch(input, init);
    };
    await clientFor({ fetch: fetchSpy }).agents.get('agent_1');
    expect(seen).toEqual([`GET ${api.root}/v1/agents/agent_1`]);
  });
});

describe('responses', () => {
  it('unwraps the success envelope and sends the original request object', async () => {
    api.responder = () => ({ status: 201, json: success(webChannel) });
    const input = {
      channelIdentifier: 'https://example.com',
      deploymentType: DeploymentType.WEB,
      channelName: 'Main Website Chat',
      configuration: { communicationType: 'unified', widgetConfiguration: { position: 'right' } },
    };
    const channel = await client.deploymentChannels.create(input);
    expect(channel).toEqual(webChannel);
    const request = api.single();
    expect(`${request.method} ${request.path}`).toBe('POST /v1/deployment-channels');
    // No client-side defaults (recordingEnabled, customTheme…) are added: the server applies them.
    expect(request.body).toEqual(input);
  });

  it('returns lists as { data, meta }', async () => {
    const meta: PaginationMeta = { page: 2, pageSize: 5, totalCount: 6, totalPages: 2, hasNextPage: false, hasPreviousPage: true };
    api.responder = () => ({ json: page([webChannel], meta) });
    const result = await client.deploymentChannels.list({ page: 2, pageSize: 5 });
    expect(result).toEqual({ data: [webChannel], meta });
    const request = api.single();
    expect(request.path).toBe('/v1/deployment-channels');
    expect(request.query).toEqual({ page: '2', pageSize: '5' });
  });

  it('sends a channel search with the page, and refuses an empty one or a search on other lists before sending', async () => {
    const meta: PaginationMeta = { page: 1, pageSize: 20, totalCount: 0, totalPages: 0, hasNextPage: false, hasPreviousPage: false };
    api.responder = () => ({ json: page([], meta) });
    await client.deploymentChannels.list({ search: 'Sale', pageSize: 10 });
    await client.deploymentChannels.listByType(DeploymentType.WEB, { search: 'shop' });
    expect(api.requests.map((r) => [r.path, r.query])).toEqual([
      ['/v1/deployment-channels', { search: 'Sale', pageSize: '10' }],
      ['/v1/deployment-channels/by-type/web', { search: 'shop' }],
    ]);
    const empty = await rejectionOf(client.deploymentChannels.list({ search: '  ' }));
    expect(empty).toBeInstanceOf(ValidationError);
    expect((empty as ValidationError).issues.map((i) => i.field)).toEqual(['search']);
    await expect(client.phoneConfigurations.list({ search: 'x' } as never)).rejects.toBeInstanceOf(ValidationError);
    expect(api.requests).toHaveLength(2);
  });

  it('sends no pagination query when none is given, and lists by type under /by-type', async () => {
    const meta: PaginationMeta = { page: 1, pageSize: 20, totalCount: 0, totalPages: 0, hasNextPage: false, hasPreviousPage: false };
    api.responder = () => ({ json: page([], meta) });
    await client.phoneConfigurations.list();
    await client.deploymentChannels.listByType(DeploymentType.MOBILE, { pageSize: 50 });
    await client.deploymentConfigurations.listByAgent('agent_1');
    expect(api.requests.map((r) => [r.path, r.query])).toEqual([
      ['/v1/phone-configurations', {}],
      ['/v1/deployment-channels/by-type/mobile-app', { pageSize: '50' }],
      ['/v1/deployment-configurations/by-agent/agent_1', {}],
    ]);
  });

  it('delete returns true and only sends deletePhoneConfig when asked', async () => {
    api.responder = () => ({ json: success(true) });
    await expect(client.deploymentChannels.delete('chan_1')).resolves.toBe(true);
    await expect(client.deploymentChannels.delete('chan_1', { deletePhoneConfig: true })).resolves.toBe(true);
    expect(api.requests.map((r) => [r.method, r.path, r.query])).toEqual([
      ['DELETE', '/v1/deployment-channels/chan_1', {}],
      ['DELETE', '/v1/deployment-channels/chan_1', { deletePhoneConfig: 'true' }],
    ]);
  });

  it('reads the flat list answer of servers from before pages were nested, and refuses a list without a page', async () => {
    const meta: PaginationMeta = { page: 1, pageSize: 20, totalCount: 1, totalPages: 1, hasNextPage: false, hasPreviousPage: false };
    api.responder = () => ({ json: { success: true, data: [webChannel], meta, metadata: { timestamp: 1, version: 'v1' } } });
    await expect(client.deploymentChannels.list()).resolves.toEqual({ data: [webChannel], meta });
    api.responder = () => ({ json: success({ data: [webChannel] }) });
    const error = await rejectionOf(client.deploymentChannels.list());
    expect(error).toMatchObject({ statusCode: 200, code: 'INVALID_RESPONSE' });
  });

  it('treats a 2xx that is not a JSON envelope as an invalid response', async () => {
    api.responder = () => ({ text: '<html>welcome to nginx</html>' });
    const error = await rejectionOf(client.agents.get('agent_1'));
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ statusCode: 200, code: 'INVALID_RESPONSE' });
  });
});

describe('updates and conveniences', () => {
  it('PATCHes a channel with the whole object, id included', async () => {
    api.responder = () => ({ json: success({ ...webChannel, channelName: 'Renamed' }) });
    const updated = await client.deploymentChannels.update({ id: 'chan_web1', channelName: 'Renamed', recordingEnabled: false });
    expect(updated.channelName).toBe('Renamed');
    const request = api.single();
    expect(`${request.method} ${request.path}`).toBe('PATCH /v1/deployment-channels');
    expect(request.body).toEqual({ id: 'chan_web1', channelName: 'Renamed', recordingEnabled: false });
  });

  it('PATCHes other resources at /{id} with the id left out of the body', async () => {
    await client.agents.update({ id: 'agent_1', name: 'New name' });
    await client.phoneConfigs.update({ id: 'phone_1', friendlyName: 'Front desk' });
    await client.deploymentConfigurations.update({ id: 'dep_1', deploymentName: 'Prod' });
    expect(api.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['PATCH', '/v1/agents/agent_1', { name: 'New name' }],
      ['PATCH', '/v1/phone-configurations/phone_1', { friendlyName: 'Front desk' }],
      ['PATCH', '/v1/deployment-configurations/dep_1', { deploymentName: 'Prod' }],
    ]);
  });

  it('activate, pause and archive PATCH the status', async () => {
    await client.deploymentConfigurations.activate('dep_1');
    await client.deploymentConfigurations.pause('dep_1');
    await client.deploymentConfigurations.archive('dep_1');
    expect(api.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['PATCH', '/v1/deployment-configurations/dep_1', { status: 'active' }],
      ['PATCH', '/v1/deployment-configurations/dep_1', { status: 'paused' }],
      ['PATCH', '/v1/deployment-configurations/dep_1', { status: 'archived' }],
    ]);
  });

  it('setup POSTs channel and binding together and returns both', async () => {
    const deployment = {
      id: 'dep_1',
      deploymentChannelId: webChannel.id,
      agentId: 'agent_1',
      deploymentName: null,
      instructions: null,
      status: 'pending',
      createdAt: 1,
      updatedAt: 1,
    };
    api.responder = () => ({ status: 201, json: success({ channel: webChannel, deployment }) });
    const input = {
      agentId: 'agent_1',
      channel: { deploymentType: DeploymentType.WEB, channelIdentifier: 'https://example.com', configuration: {} },
    };
    const result = await client.deploymentConfigurations.setup(input);
    expect(result).toEqual({ channel: webChannel, deployment });
    const request = api.single();
    expect(`${request.method} ${request.path}`).toBe('POST /v1/deployment-configurations/setup');
    expect(request.body).toEqual(input);
  });

  it('exposes phoneConfigurations as the same object as phoneConfigs', () => {
    expect(client.phoneConfigurations).toBe(client.phoneConfigs);
  });
});

describe('API errors', () => {
  it('maps an error body to APIError with the server status, code, message, details and meta', async () => {
    const details = [{ field: 'configuration.phoneConfigurationId', message: 'Phone configuration not found' }];
    api.responder = () => ({ status: 404, json: failure(404, 'NOT_FOUND', 'Phone configuration not found', details) });
    const error = await rejectionOf(client.phoneConfigs.get('phone_missing'));
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toBeInstanceOf(SwitchboardError);
    expect(error).toMatchObject({
      name: 'NotFoundError',
      statusCode: 404,
      code: 'NOT_FOUND',
      message: 'Phone configuration not found',
      details,
      meta: { requestId: 'req_1' },
    });
  });

  it.each([
    [409, 'CONFLICT', ConflictError],
    [401, 'UNAUTHORIZED', AuthenticationError],
  ] as const)('maps %i to its APIError subclass', async (status, code, ErrorClass) => {
    api.responder = () => ({ status, json: failure(status, code, 'Channel identifier already in use') });
    const error = await rejectionOf(client.deploymentChannels.get('chan_1'));
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ statusCode: status, code, message: 'Channel identifier already in use', details: null });
  });

  it('turns a non-JSON error page into an APIError with the status and an excerpt', async () => {
    api.responder = () => ({ status: 502, text: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
    const error = await rejectionOf(client.agents.list());
    expect(error).toBeInstanceOf(APIError);
    expect(error).not.toBeInstanceOf(NotFoundError);
    const apiError = error as APIError;
    expect(apiError.statusCode).toBe(502);
    expect(apiError.code).toBe('HTTP_502');
    expect(apiError.message).toContain('502');
    expect(apiError.message).toContain('<h1>502 Bad Gateway</h1>');
  });
});

describe('client-side validation', () => {
  it('rejects a web channel without a URL scheme with the rule message, sending nothing', async () => {
    const error = await rejectionOf(
      client.deploymentChannels.create({
        channelIdentifier: 'example.com',
        deploymentType: DeploymentType.WEB,
        configuration: { communicationType: 'unified' },
      }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as ValidationError).message).toBe('Invalid website URL format');
    expect((error as ValidationError).name).toBe('ValidationError');
    expect((error as ValidationError).issues[0]).toEqual({ field: 'channelIdentifier', message: 'Invalid website URL format' });
    expect(api.requests).toHaveLength(0);
  });

  it('rejects 202-555-1234 for a calls channel, sending nothing', async () => {
    const error = await rejectionOf(
      client.deploymentChannels.create({
        channelIdentifier: '202-555-1234',
        deploymentType: DeploymentType.CALLS,
        configuration: { phoneConfigurationId: 'phone_1' },
      }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe(RULES.e164);
    expect((error as ValidationError).issues.map((issue) => issue.field)).toEqual(['channelIdentifier']);
    expect(api.requests).toHaveLength(0);
  });

  it('accepts +12025551234 for the same calls channel', async () => {
    await client.deploymentChannels.create({
      channelIdentifier: '+12025551234',
      deploymentType: DeploymentType.CALLS,
      configuration: { phoneConfigurationId: 'phone_1' },
    });
    expect(api.single().path).toBe('/v1/deployment-channels');
  });

  it('checks an updated identifier against the deployment type given with it', async () => {
    const error = await rejectionOf(
      client.deploymentChannels.update({ id: 'chan_1', deploymentType: DeploymentType.WEB, channelIdentifier: 'example.com' }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe('Invalid website URL format');
    expect(api.requests).toHaveLength(0);
  });

  it('requires a non-empty id for updates and lookups, sending nothing', async () => {
    const errors = [
      await rejectionOf(client.deploymentChannels.update({ id: '', channelName: 'x' })),
      await rejectionOf(client.agents.update({ id: '   ', name: 'x' })),
      await rejectionOf(client.deploymentConfigurations.activate('')),
      await rejectionOf(client.deploymentChannels.get('')),
      await rejectionOf(client.phoneConfigs.delete('')),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.field).toBe('id');
    }
    expect(api.requests).toHaveLength(0);
  });

  it('rejects unknown fields and bad pagination before sending', async () => {
    const unknownField = await rejectionOf(client.agents.create({ name: 'Bot', colour: 'blue' } as never));
    expect((unknownField as ValidationError).message).toBe('Unknown field: colour');
    const badPage = await rejectionOf(client.agents.list({ pageSize: 5000 }));
    expect(badPage).toBeInstanceOf(ValidationError);
    expect((badPage as ValidationError).issues[0]?.field).toBe('pageSize');
    expect(api.requests).toHaveLength(0);
  });

  it('validates phone configurations with the E.164 rule', async () => {
    const error = await rejectionOf(client.phoneConfigs.create({ phoneNumber: '202-555-1234', provider: 'twilio' }));
    expect((error as ValidationError).message).toBe(RULES.e164);
    expect(api.requests).toHaveLength(0);
  });
});

describe('network failures', () => {
  it('aborts after the timeout with a NetworkError marked timeout', async () => {
    api.responder = () => ({ hang: true });
    const started = Date.now();
    const error = await rejectionOf(clientFor({ timeout: 100 }).agents.get('agent_1'));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as NetworkError).timeout).toBe(true);
    expect((error as NetworkError).message).toContain('timed out after 100 ms');
    expect(api.requests).toHaveLength(1);
  });

  it('reports a refused connection as a NetworkError with its cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await rejectionOf(clientFor({ baseUrl: `http://127.0.0.1:${port}` }).agents.get('agent_1'));
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).timeout).toBe(false);
    expect((error as NetworkError).cause).toBeDefined();
    expect((error as NetworkError).message).toContain('ECONNREFUSED');
  });
});

describe('configuration', () => {
  it.each([
    ['no options', undefined],
    ['no apiKey', { baseUrl: 'http://localhost:8787' }],
    ['an empty apiKey', { apiKey: '' }],
    ['a blank apiKey', { apiKey: '   ' }],
  ])('throws ConfigurationError for %s', (_label, options) => {
    expect(() => new SwitchboardClient(options as unknown as SwitchboardClientOptions)).toThrow(ConfigurationError);
    expect(() => new SwitchboardClient(options as unknown as SwitchboardClientOptions)).toThrow(/apiKey|options/);
  });

  it.each([['not a url'], ['localhost:8787'], ['ftp://example.com']])('throws ConfigurationError for baseUrl %j', (baseUrl) => {
    expect(() => new SwitchboardClient({ apiKey: API_KEY, baseUrl })).toThrow(ConfigurationError);
  });

  it.each([[0], [-5], [Number.NaN]])('throws ConfigurationError for timeout %j', (timeout) => {
    expect(() => new SwitchboardClient({ apiKey: API_KEY, timeout })).toThrow(ConfigurationError);
  });

  it('names its errors', () => {
    const error = (() => {
      try {
        new SwitchboardClient({ apiKey: '' });
      } catch (caught) {
        return caught;
      }
      throw new Error('expected the constructor to throw');
    })();
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as Error).name).toBe('ConfigurationError');
  });
});

describe('the guide\'s complete example', () => {
  it('runs create → get → listByType → update → getByIdentifier → delete on the wire', async () => {
    const identifier = `https://test-${Date.now()}.example.com`;
    const stored: DeploymentChannel = { ...webChannel, channelIdentifier: identifier, channelName: 'Test Web Channel' };
    const meta: PaginationMeta = { page: 1, pageSize: 20, totalCount: 1, totalPages: 1, hasNextPage: false, hasPreviousPage: false };
    api.responder = (request) => {
      if (request.method === 'PATCH') return { json: success({ ...stored, channelName: 'Updated Test Channel', recordingEnabled: false }) };
      if (request.method === 'DELETE') return { json: success(true) };
      if (request.path.endsWith('/by-type/web')) return { json: page([stored], meta) };
      return { json: success(stored) };
    };

    const created = await client.deploymentChannels.create({
      channelIdentifier: identifier,
      deploymentType: DeploymentType.WEB,
      channelName: 'Test Web Channel',
      recordingEnabled: true,
      configuration: {
        communicationType: 'unified',
        widgetConfiguration: { position: 'right', customTheme: { primaryColor: '#007bff' } },
      },
    });
    const retrieved = await client.deploymentChannels.get(created.id);
    const webChannels = await client.deploymentChannels.listByType(DeploymentType.WEB);
    const updated = await client.deploymentChannels.update({
      id: created.id,
      channelName: 'Updated Test Channel',
      recordingEnabled: false,
    });
    const found = await client.deploymentChannels.getByIdentifier(created.channelIdentifier, DeploymentType.WEB);
    const deleted = await client.deploymentChannels.delete(created.id);

    expect(retrieved.channelName).toBe('Test Web Channel');
    expect(webChannels.meta.totalCount).toBe(1);
    expect(updated).toMatchObject({ channelName: 'Updated Test Channel', recordingEnabled: false });
    expect(found.id).toBe(created.id);
    expect(deleted).toBe(true);
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/deployment-channels',
      'GET /v1/deployment-channels/chan_web1',
      'GET /v1/deployment-channels/by-type/web',
      'PATCH /v1/deployment-channels',
      `GET /v1/deployment-channels/by-identifier/${encodeURIComponent(identifier)}`,
      'DELETE /v1/deployment-channels/chan_web1',
    ]);
  });
});
